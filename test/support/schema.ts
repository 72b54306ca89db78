import { SqlService } from '../../src/database/sql.service';

// The migrated schema as text, one object a line, sorted: what the migrations made, compared with a committed
// snapshot per database (test/e2e/schema/). `npm run schema:snapshot` rewrites the snapshots after a migration.
export async function describeSchema(sql: SqlService): Promise<string> {
  if (sql.dialect.name === 'sqlite') {
    const rows = await sql.run<{ type: string; name: string; tbl_name: string; sql: string | null }>(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, tbl_name, name",
      [],
    );
    return rows
      .map((row) => `${row.type} ${row.name} on ${row.tbl_name}\n  ${(row.sql ?? '').replace(/\s+/g, ' ')}`)
      .join('\n')
      .concat('\n');
  }
  const columns = await sql.run<Record<string, string | null>>(
    `SELECT table_name, column_name, data_type, is_nullable, column_default, character_maximum_length
     FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, column_name`,
    [],
  );
  const indexes = await sql.run<{ tablename: string; indexname: string; indexdef: string }>(
    "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname",
    [],
  );
  const columnLines = columns.map(
    (c) =>
      `column ${c.table_name}.${c.column_name} ${c.data_type}${c.character_maximum_length ? `(${c.character_maximum_length})` : ''}` +
      `${c.is_nullable === 'NO' ? ' not null' : ''}${c.column_default ? ` default ${c.column_default}` : ''}`,
  );
  const indexLines = indexes.map((i) => `index ${i.indexname} on ${i.tablename}\n  ${i.indexdef}`);
  return [...columnLines, ...indexLines].join('\n').concat('\n');
}
