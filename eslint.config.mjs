// Form and layering. The import rules keep the module map of DESIGN.md: `common/` and `config/` import no feature,
// nothing but the data source imports the migrations, and the app never imports the bench.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

const FEATURES = [
  'attestations',
  'audit',
  'auth',
  'brokers',
  'entra',
  'health',
  'home',
  'jobs',
  'logging',
  'mail',
  'metrics',
  'partner-center',
  'partner-center-settings',
  'reports',
  'sessions',
  'sync',
  'tenants',
  'users',
];

const noMigrations = {
  group: ['**/database/migrations', '**/database/migrations/*', '!**/database/migrations/index'],
  message: 'Only the data source loads migrations; runtime code keeps its own copy of what it needs.',
};
const noBench = { group: ['**/bench/*', '../bench', '../../bench'], message: 'The app never imports the bench.' };

export default tseslint.config(
  { ignores: ['dist/**', 'dist-bench/**', 'node_modules/**', 'data/**', 'coverage/**', 'public/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
      // Control characters are matched on purpose: input is cleaned of them.
      'no-control-regex': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/database/data-source-options.ts', 'src/database/migrations/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [noMigrations, noBench] }] },
  },
  {
    files: ['src/common/**/*.ts', 'src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            noMigrations,
            noBench,
            { group: FEATURES.map((feature) => `../${feature}/*`), message: 'common/ and config/ import no feature.' },
          ],
        },
      ],
    },
  },
);
