// The module map holds: ESLint (eslint.config.mjs) refuses every import that DESIGN.md's map forbids. Each edge is
// a snippet linted as if it stood in the importing folder, so the rules cannot rot unseen: a plugin upgrade, a
// renamed folder or a reordered layer that lets a forbidden import through fails here.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const src = join(root, 'src');
// `app` stands for the files directly in src/ (the app module, main, the CLI), which compose the features.
const APP = 'app';

const folders = readdirSync(src, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const notConfig = folders.filter((folder) => folder !== 'config');

// Named one by one from DESIGN.md, so that reordering the layers cannot quietly allow them.
const FORBIDDEN: [string, string][] = [
  ['tenants', 'attestations'],
  ['tenants', 'sync'],
  ['tenants', 'reports'],
  ['tenants', 'partner-center-settings'],
  ['partner-center', 'tenants'],
  ['partner-center', 'partner-center-settings'],
  ['partner-center', 'sync'],
  // auth/ is the low part (roles, guards, the current user): it knows no person and no sign-in.
  ['auth', 'users'],
  ['auth', 'sign-in'],
  ['users', 'sign-in'],
  ['users', 'passwords'],
  ['jobs', 'tenants'],
  ['mail', 'attestations'],
  ['audit', 'users'],
  // Beside one another.
  ['attestations', 'sync'],
  ['sync', 'attestations'],
  ['mail', 'audit'],
  ['audit', 'mail'],
  ['config', 'common'],
  ...notConfig.filter((folder) => folder !== 'common').map((folder): [string, string] => ['common', folder]),
  ...notConfig
    .filter((folder) => !['common', 'database'].includes(folder))
    .map((f): [string, string] => ['database', f]),
  ...folders.map((folder): [string, string] => [folder, APP]),
];

// The other way: these must pass, or the rules would refuse everything.
const ALLOWED: [string, string][] = [
  ['attestations', 'tenants'],
  ['attestations', 'partner-center-settings'],
  ['sync', 'tenants'],
  ['reports', 'tenants'],
  ['reports', 'attestations'],
  ['jobs', 'brokers'],
  ['partner-center-settings', 'tenants'],
  ['users', 'auth'],
  ['sign-in', 'users'],
  ['entra', 'sign-in'],
  ['tenants', 'database'],
  ['database', 'common'],
  ['common', 'config'],
  [APP, 'attestations'],
];

// One existing file of a folder to import: its module if it has one, else its first file.
function fileIn(folder: string): string | undefined {
  if (folder === APP) return join(src, 'app.module.ts');
  const dir = join(src, folder);
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'));
  const file = files.find((name) => name === `${folder}.module.ts`) ?? files.sort()[0];
  return file && join(dir, file);
}

interface Snippet {
  file: string;
  code: string;
}

function snippet(from: string, to: string, options: { at?: string; typeOnly?: boolean } = {}): Snippet {
  const file = from === APP ? join('src', 'snippet.ts') : join('src', from, options.at ?? 'snippet.ts');
  const target = fileIn(to)!.replace(/\.ts$/, '');
  const path = relative(dirname(join(root, file)), target);
  const specifier = path.startsWith('.') ? path : `./${path}`;
  return { file, code: `import ${options.typeOnly ? 'type ' : ''}{ x } from '${specifier}';\nexport { x };\n` };
}

const present = ([, to]: [string, string]) => fileIn(to) !== undefined;
const matrix = folders.flatMap((from) => folders.filter((to) => to !== from).map((to): [string, string] => [from, to]));
const cases = {
  forbidden: FORBIDDEN.filter(present),
  allowed: ALLOWED.filter(present),
  matrix,
  nested: [['tenants', 'attestations']] as [string, string][],
  typeOnly: [['tenants', 'attestations']] as [string, string][],
};
const snippets: Snippet[] = [
  ...cases.forbidden.map(([from, to]) => snippet(from, to)),
  ...cases.allowed.map(([from, to]) => snippet(from, to)),
  ...cases.matrix.map(([from, to]) => snippet(from, to)),
  snippet('tenants', 'attestations', { at: 'dto/deep/snippet.ts' }),
  snippet('tenants', 'attestations', { typeOnly: true }),
];

interface Outcome {
  layers: string[][];
  results: { ruleId: string | null; message: string }[][];
}
let outcome: Outcome;
let offset = 0;
// The boundary rule's refusals for the next `count` snippets, in order.
const take = (count: number) => {
  const taken = outcome.results.slice(offset, offset + count);
  offset += count;
  return taken.map((messages) => {
    const unparsed = messages.find((message) => message.ruleId === null);
    if (unparsed) throw new Error(unparsed.message);
    return messages.filter((message) => message.ruleId === 'boundaries/dependencies').length > 0;
  });
};
let refused: { forbidden: boolean[]; allowed: boolean[]; matrix: boolean[]; nested: boolean; typeOnly: boolean };

beforeAll(() => {
  const output = execFileSync(process.execPath, [join(__dirname, 'lint-snippets.mjs')], {
    cwd: root,
    input: JSON.stringify(snippets),
    maxBuffer: 64 * 1024 * 1024,
  });
  outcome = JSON.parse(output.toString()) as Outcome;
  refused = {
    forbidden: take(cases.forbidden.length),
    allowed: take(cases.allowed.length),
    matrix: take(cases.matrix.length),
    nested: take(1)[0],
    typeOnly: take(1)[0],
  };
});

describe('the module map', () => {
  it('should place every folder of src/ on exactly one layer', () => {
    const placed = outcome.layers.flat();
    expect(folders.filter((folder) => !placed.includes(folder))).toEqual([]);
    expect(placed.filter((folder, index) => placed.indexOf(folder) !== index)).toEqual([]);
  });

  it('should refuse every import that the design forbids', () => {
    const passed = cases.forbidden.filter((_, index) => !refused.forbidden[index]);
    expect(passed.map(([from, to]) => `${from} -> ${to}`)).toEqual([]);
  });

  for (const [from, to] of FORBIDDEN.filter((edge) => !present(edge))) {
    it.todo(`should refuse ${from} -> ${to} (joins the test above once ${to}/ exists)`);
  }

  it('should allow imports downward', () => {
    const refusedEdges = cases.allowed.filter((_, index) => refused.allowed[index]);
    expect(refusedEdges.map(([from, to]) => `${from} -> ${to}`)).toEqual([]);
  });

  it('should allow each folder only the layers below its own', () => {
    const layerOf = (folder: string) => outcome.layers.findIndex((layer) => layer.includes(folder));
    const wrong = cases.matrix.filter(([from, to], index) => refused.matrix[index] !== layerOf(to) >= layerOf(from));
    expect(
      wrong.map(([from, to]) => `${from} -> ${to} ${layerOf(to) >= layerOf(from) ? 'passed' : 'refused'}`),
    ).toEqual([]);
  });

  it('should refuse from a nested folder and for a type-only import', () => {
    expect(refused.nested).toBe(true);
    expect(refused.typeOnly).toBe(true);
  });
});
