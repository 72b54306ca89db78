import type { SqlService } from '../../src/database/sql.service';
import type { SqlStatement } from '../../src/tenants/tenants.repository';

// A statement's query plan as the database itself makes it (SQLite's EXPLAIN QUERY PLAN and bytecode, PostgreSQL's
// EXPLAIN in JSON), reduced to what the plan tests assert: its steps, the indexes it reads, and whether it reads the
// whole tenants table. SHOW_PLANS=1 prints PostgreSQL's plans.
export interface Plan {
  text: string; // every step, one a line
  indexes: string[];
  scansTenants: boolean; // reads the whole tenants table
}

export interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PgNode[];
}

export async function queryPlan(sql: SqlService, { sql: text, params }: SqlStatement): Promise<Plan> {
  if (sql.dialect.name === 'sqlite') {
    const rows = await sql.run<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, params);
    const details = rows.map((row) => row.detail);
    return {
      text: details.join('\n'),
      indexes: details.flatMap((detail) => /USING (?:COVERING )?INDEX (\w+)/.exec(detail)?.[1] ?? []),
      scansTenants: await sqliteScansTenants(sql, text, params),
    };
  }
  const [row] = await sql.run<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) ${text}`, params);
  const root = (row['QUERY PLAN'] as { Plan: PgNode }[])[0].Plan;
  if (process.env.SHOW_PLANS) console.log(text, JSON.stringify(root, null, 1));
  const nodes: PgNode[] = [];
  const walk = (node: PgNode) => (nodes.push(node), node.Plans?.forEach(walk));
  walk(root);
  return {
    text: nodes.map((node) => `${node['Node Type']} ${node['Index Name'] ?? node['Relation Name'] ?? ''}`).join('\n'),
    indexes: nodes.flatMap((node) => node['Index Name'] ?? []),
    scansTenants: nodes.some((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'tenants'),
  };
}

// The query plan names a subquery's or a CTE's scan as it names a table's ("SCAN t"), so the bytecode says it: a
// cursor on the tenants table that is rewound (or started from its end) walks the whole table.
async function sqliteScansTenants(sql: SqlService, text: string, params: unknown[]): Promise<boolean> {
  const [{ rootpage }] = await sql.run<{ rootpage: number }>(
    "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = 'tenants'",
    [],
  );
  const program = await sql.run<{ opcode: string; p1: number; p2: number }>(`EXPLAIN ${text}`, params);
  const cursors = new Set(program.filter((op) => op.opcode === 'OpenRead' && op.p2 === rootpage).map((op) => op.p1));
  return program.some((op) => (op.opcode === 'Rewind' || op.opcode === 'Last') && cursors.has(op.p1));
}
