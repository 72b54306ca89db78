// Each table has one owning folder, whose repository holds all of its SQL: no other folder names the table, in SQL
// or through its entity. The import graph cannot see a table named in a string, so this test reads the code.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..');
const src = join(root, 'src');

// The owner of each table of the schema (ARCHITECTURE.md lists the same).
const OWNERS: Record<string, string> = {
  api_idempotency_keys: 'api',
  api_tokens: 'api-tokens',
  api_token_request_counts: 'api-tokens',
  app_instances: 'backups',
  attestation_batch_rows: 'bulk-attestations',
  attestation_batches: 'bulk-attestations',
  attestation_claims: 'attestations',
  attestations: 'attestations',
  audit_anchors: 'audit',
  audit_chain_heads: 'audit',
  audit_events: 'audit',
  backup_runs: 'backups',
  backup_settings: 'backups',
  brokers: 'brokers',
  entra_settings: 'entra',
  installation: 'database',
  job_schedules: 'jobs',
  jobs: 'jobs',
  // TypeORM's record of the migrations that ran.
  migrations: 'database',
  outbox_messages: 'mail',
  partner_center_settings: 'partner-center-settings',
  password_reset_tokens: 'passwords',
  rate_limit_hits: 'rate-limits',
  report_file_chunks: 'reports',
  report_refusal_tallies: 'reports',
  report_requests: 'reports',
  report_schedules: 'reports',
  report_settings: 'reports',
  sessions: 'sessions',
  sync_runs: 'sync',
  tenant_list_versions: 'tenants',
  tenant_status_counts: 'tenants',
  tenants: 'tenants',
  users: 'users',
  webhook_attempts: 'webhooks',
  webhook_endpoints: 'webhooks',
  webhook_messages: 'webhooks',
};
// The tenants' search index: SQLite's FTS5 table, its shadow tables and its content view.
const ownerOf = (table: string): string | undefined => (/^tenants_search/.test(table) ? 'tenants' : OWNERS[table]);

// The tables of both schema snapshots.
function schemaTables(): string[] {
  const sqlite = readFileSync(join(root, 'test/e2e/schema/sqlite.schema.txt'), 'utf8');
  const postgres = readFileSync(join(root, 'test/e2e/schema/postgres.schema.txt'), 'utf8');
  const names = [
    ...[...sqlite.matchAll(/^(?:table|view) (\w+) on/gm)].map((match) => match[1]),
    ...[...postgres.matchAll(/^column (\w+)\./gm)].map((match) => match[1]),
  ];
  return [...new Set(names)].sort();
}

// The code under src/, without the migrations (which create every table) and without comment lines.
function sources(): { file: string; text: string }[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'migrations' ? [] : walk(path);
      return entry.name.endsWith('.ts') ? [path] : [];
    });
  return walk(src).map((path) => ({
    file: relative(src, path),
    text: readFileSync(path, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
      .join('\n'),
  }));
}

const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0] : '');

// The tables that a file's code names: in SQL (upper-case keywords, as this code writes them), as an entity's
// table, or through another file's entity class given to TypeORM.
function tablesNamed(text: string, tables: Set<string>, entities: Map<string, string>): Set<string> {
  const named = new Set<string>();
  for (const [, table] of text.matchAll(/\b(?:FROM|JOIN|UPDATE|INTO|TABLE)\s+["`]?(\w+)/g)) {
    if (tables.has(table)) named.add(table);
  }
  for (const [, table] of text.matchAll(/@Entity\(\s*['"](\w+)['"]/g)) named.add(table);
  const calls = text.matchAll(
    /\b(?:getRepository|InjectRepository|withRepository|createQueryBuilder|from|into|update|insert|upsert|delete|remove|save|find\w*|count\w*|exist\w*|increment|decrement)\(\s*(\w+)\b/g,
  );
  const listed = [...text.matchAll(/forFeature\(\s*\[([^\]]*)\]/g)].flatMap(([, list]) => list.match(/\w+/g) ?? []);
  for (const name of [...[...calls].map((match) => match[1]), ...listed]) {
    const table = entities.get(name);
    if (table) named.add(table);
  }
  return named;
}

function foreignTables(): Record<string, string[]> {
  const tables = new Set(schemaTables());
  const files = sources();
  const entities = new Map<string, string>();
  for (const { text } of files) {
    for (const [, table, name] of text.matchAll(/@Entity\(\s*['"](\w+)['"][^]*?\bclass (\w+)/g)) {
      entities.set(name, table);
    }
  }
  const foreign: Record<string, string[]> = {};
  for (const { file, text } of files) {
    const named = [...tablesNamed(text, tables, entities)].filter((table) => ownerOf(table) !== folderOf(file));
    if (named.length) foreign[file] = named.sort();
  }
  return foreign;
}

describe('table owners', () => {
  it('should give every table of the schema one owning folder of src/', () => {
    const folders = readdirSync(src, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const tables = schemaTables();
    expect(tables.filter((table) => !ownerOf(table))).toEqual([]);
    expect(Object.keys(OWNERS).filter((table) => !tables.includes(table))).toEqual([]);
    expect([...new Set(Object.values(OWNERS))].filter((owner) => !folders.includes(owner))).toEqual([]);
  });

  it("should find no SQL or entity naming another folder's table", () => {
    expect(foreignTables()).toEqual({});
  });
});
