// Three projects: unit specs beside the code (and test/architecture's, over the whole tree, and the bench's pure
// parts), HTTP e2e on a real database, browser tests in Chromium.
// Each project's timeout is set by its setup file (jest ignores `testTimeout` inside `projects`);
// test/support/jest/config.spec.ts proves that every project gets the one it means.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.test.json' }];
// ES-module-only packages the app requires (Node 20.19+ loads them with require; Jest's own loader does not
// before Node 24.9): compiled to CommonJS for the tests, and only these.
const ESM_PACKAGES = ['openid-client', 'oauth4webapi', 'jose'];
const esmToCommonJs = [
  'ts-jest',
  { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022' }, isolatedModules: true },
];
const base = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest, [`/node_modules/(${ESM_PACKAGES.join('|')})/.+\\.js$`]: esmToCommonJs },
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_PACKAGES.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'json'],
};
const timeout = (project) => `<rootDir>/../test/support/jest/${project}-timeout.ts`;

module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      rootDir: 'src',
      roots: ['<rootDir>', '<rootDir>/../test/support/jest', '<rootDir>/../test/architecture', '<rootDir>/../bench'],
      testRegex: '\\.spec\\.ts$',
      setupFilesAfterEnv: [timeout('unit')],
    },
    {
      ...base,
      displayName: 'e2e',
      rootDir: 'test',
      testRegex: '\\.e2e-spec\\.ts$',
      globalSetup: '<rootDir>/support/jest/postgres-workers.ts',
      setupFiles: ['<rootDir>/support/env.ts'],
      setupFilesAfterEnv: [timeout('e2e')],
    },
    {
      ...base,
      displayName: 'browser',
      rootDir: 'test',
      testRegex: '\\.browser-spec\\.ts$',
      setupFiles: ['<rootDir>/support/env.ts'],
      setupFilesAfterEnv: [timeout('browser')],
    },
  ],
};
