// Three projects: unit specs beside the code, HTTP e2e on a real database, browser tests in Chromium.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
const base = { testEnvironment: 'node', transform: { '^.+\\.ts$': tsJest }, moduleFileExtensions: ['ts', 'js', 'json'] };

module.exports = {
  projects: [
    { ...base, displayName: 'unit', rootDir: 'src', testRegex: '\\.spec\\.ts$' },
    { ...base, displayName: 'e2e', rootDir: 'test', testRegex: '\\.e2e-spec\\.ts$', setupFiles: ['<rootDir>/support/env.ts'], testTimeout: 30000 },
    { ...base, displayName: 'browser', rootDir: 'test', testRegex: '\\.browser-spec\\.ts$', setupFiles: ['<rootDir>/support/env.ts'], testTimeout: 60000 },
  ],
};
