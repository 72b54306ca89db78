// Form and layering. The module map of DESIGN.md and ARCHITECTURE.md is enforced here: each folder of src/ stands on
// one layer and may import only folders on lower layers (never one beside it or above it); nothing but the data
// source imports the migrations, and the app never imports the bench. test/architecture proves that each forbidden
// edge fails and that every folder of src/ has a layer.
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

// Bottom to top; a layer's reason is the import that puts it above the one below.
export const LAYERS = [
  // Validated configuration: reads the environment only.
  ['config'],
  // Request context, domain errors and the one filter, forms, ids, the clock, the view engine.
  ['common'],
  // The data source, migrations, SqlService and its dialect, transactions; the installation row.
  ['database'],
  // Pieces every feature may use and that know no feature: roles, guards and the current user (auth/), the broker
  // (the job worker checks a job's), the Partner Center client, the session store, rate limits, metrics, logs.
  ['auth', 'brokers', 'logging', 'metrics', 'partner-center', 'rate-limits', 'sessions'],
  // The job queue: mail, audit and every feature enqueue through it.
  ['jobs'],
  // The rest of the durable floor: the outbox, the audit chain, and webhooks (events to partners' endpoints, queued
  // in the transaction of their cause).
  ['audit', 'mail', 'webhooks'],
  // People, inside one broker.
  ['users'],
  // Password sign-in and the session it starts: Entra ID and password resets reuse it.
  ['sign-in'],
  // Features that need only what is below.
  ['api-tokens', 'backups', 'entra', 'health', 'home', 'passwords', 'tenants'],
  // Per-broker Partner Center credentials: connecting a broker clears its tenants' sync state.
  ['partner-center-settings'],
  // Work over tenants with a broker's credentials: the sync, and the attestation state machine (which also mails
  // and audits).
  ['attestations', 'sync'],
  // Reports read tenants with their latest attestation; bulk attestation creates many through the state machine.
  ['bulk-attestations', 'reports'],
  // The JSON API: the features' services, reached with a bearer token.
  ['api'],
];

const anyOf = (types) => ({ element: { types: { anyOf: types } } });
const layerPolicies = LAYERS.flatMap((layer, index) => {
  const below = LAYERS.slice(0, index).flat();
  return below.length ? [{ from: anyOf(layer), allow: { to: anyOf(below) } }] : [];
});

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
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js'] } },
      // The files directly in src/ (the app module, main, the CLI, the bootstrap) are the app: they compose the
      // features and nothing imports them. Listed last, so each folder's own element wins.
      'boundaries/elements': [
        ...LAYERS.flat().map((folder) => ({ type: folder, pattern: `src/${folder}`, partialMatch: false })),
        { type: 'app', pattern: 'src', partialMatch: false },
      ],
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: [...layerPolicies, { from: { element: { type: 'app' } }, allow: { to: anyOf(LAYERS.flat()) } }],
        },
      ],
    },
  },
);
