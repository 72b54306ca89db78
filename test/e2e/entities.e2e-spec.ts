import { DataSource } from 'typeorm';
import { SqlService } from '../../src/database/sql.service';
import { createTestApp, type TestApp } from '../support/test-app';

interface DatabaseColumn {
  name: string;
  nullable: boolean;
  primary: boolean;
  type: string;
}

// The search's own machinery, on one database only (PostgreSQL's generated search column is what SQLite's FTS
// tables are): no entity reads or writes it.
const SEARCH_ONLY = new Set(['tenants.search_text']);

// What a column holds, in words both databases and TypeORM's types share.
function kindOf(type: string): string {
  const t = type.toLowerCase();
  if (/^(int|integer|bigint|smallint)/.test(t)) return 'integer';
  if (/^(varchar|character varying|text|character)/.test(t)) return 'text';
  if (/^(datetime|timestamp)/.test(t)) return 'timestamp';
  if (/^bool/.test(t)) return 'boolean';
  if (/^(blob|bytea)/.test(t)) return 'binary';
  return t;
}

// The entities the feature modules register (TypeOrmModule.forFeature) against the tables the migrations made:
// each entity's table exists, and its columns are exactly the table's, with the same nullability, primary key and
// kind of value. (TypeORM's own schema builder cannot be the judge: on this schema its log() rebuilds every table
// whose foreign keys the entities leave to the migrations, reads an expression index as a column named "null",
// and on PostgreSQL takes the entities' Date for `timestamp` where the migrations made `timestamptz`.)
describe('The entities', () => {
  let testApp: TestApp;
  let sql: SqlService;
  let dataSource: DataSource;

  beforeAll(async () => {
    testApp = await createTestApp({ env: { JOB_WORKER: 'off' } });
    sql = testApp.app.get(SqlService);
    dataSource = testApp.app.get(DataSource);
  });
  afterAll(() => testApp.close());

  async function columnsOf(table: string): Promise<DatabaseColumn[]> {
    if (sql.dialect.name === 'sqlite') {
      const rows = await sql.run<{ name: string; type: string; notnull: number; pk: number }>(
        `SELECT name, type, "notnull", pk FROM pragma_table_info(?)`,
        [table],
      );
      return rows.map((row) => ({
        name: row.name,
        type: row.type,
        nullable: !row.notnull && !row.pk,
        primary: row.pk > 0,
      }));
    }
    const rows = await sql.run<{ name: string; type: string; nullable: string; primary: boolean }>(
      `SELECT c.column_name AS name, c.data_type AS type, c.is_nullable AS nullable,
         EXISTS (SELECT 1 FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t
           ON t.constraint_name = k.constraint_name AND t.table_name = k.table_name
           WHERE t.constraint_type = 'PRIMARY KEY' AND k.table_name = c.table_name AND k.column_name = c.column_name) AS primary
       FROM information_schema.columns c WHERE c.table_schema = current_schema() AND c.table_name = $1`,
      [table],
    );
    return rows.map((row) => ({ ...row, nullable: row.nullable === 'YES' }));
  }

  // Every table but TypeORM's own and SQLite's full-text index (a virtual table and its shadow tables, which only
  // the tenants' repository reads, by SQL): one style for rows.
  it('should exist for every table of the database', async () => {
    const tables =
      sql.dialect.name === 'sqlite'
        ? await sql.run<{ name: string }>(
            `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`,
            [],
          )
        : await sql.run<{ name: string }>(
            `SELECT table_name AS name FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
            [],
          );
    const withoutEntity = tables
      .map((table) => table.name)
      .filter((name) => name !== 'migrations' && !name.startsWith('tenants_search'))
      .filter((name) => !dataSource.entityMetadatas.some((entity) => entity.tableName === name));
    expect(withoutEntity).toEqual([]);
  });

  it('should describe the columns of their tables exactly', async () => {
    const problems: string[] = [];
    for (const entity of dataSource.entityMetadatas) {
      const actual = await columnsOf(entity.tableName);
      if (actual.length === 0) {
        problems.push(`${entity.tableName}: no such table`);
        continue;
      }
      const described = new Map(entity.columns.map((column) => [column.databaseName, column]));
      for (const column of actual) {
        if (SEARCH_ONLY.has(`${entity.tableName}.${column.name}`)) continue;
        const mapped = described.get(column.name);
        if (!mapped) {
          problems.push(`${entity.tableName}.${column.name}: not in the entity`);
          continue;
        }
        const type = dataSource.driver.normalizeType(mapped);
        const seen = {
          nullable: mapped.isNullable,
          primary: mapped.isPrimary,
          kind: kindOf(type),
        };
        const expected = { nullable: column.nullable, primary: column.primary, kind: kindOf(column.type) };
        if (JSON.stringify(seen) !== JSON.stringify(expected))
          problems.push(
            `${entity.tableName}.${column.name}: entity ${JSON.stringify(seen)}, table ${JSON.stringify(expected)}`,
          );
        described.delete(column.name);
      }
      for (const name of described.keys()) problems.push(`${entity.tableName}.${name}: not in the table`);
    }
    expect(problems).toEqual([]);
  });
});
