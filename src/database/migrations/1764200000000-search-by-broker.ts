import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from './schema-helpers';

// The status order as migration McaPage froze it (src/tenants/tenants.repository.ts must write the very same text for
// the index to serve it; the query plan test holds the two together).
const STATUS_RANK_SQL = "(CASE status WHEN 'none' THEN 0 WHEN 'pending' THEN 1 WHEN 'direct' THEN 2 ELSE 3 END)";
// What the search reads on PostgreSQL (tenants.repository.ts, SEARCH_TEXT_SQL).
const SEARCH_TEXT_SQL = "lower(name || E'\\x1f' || domain || E'\\x1f' || microsoft_tenant_id)";
// The broker's word in the SQLite search index: U+E000 (a private-use character no tenant's text holds) around the
// id, so that every trigram of it belongs to broker words only (see tenants.repository.ts, brokerToken).
const brokerToken = (id: string): string => `(char(57344) || ${id} || char(57344))`;

// The MCA page at 100,000 tenants per broker and several brokers (DESIGN.md, "Scale"):
// - the broker in the search index's key, so that one broker's search never reads another's matches: on SQLite a
//   broker word in the FTS5 table, matched together with the term; on PostgreSQL one trigram index over
//   (broker_id, search_text), broker_id kept in the GIN key by btree_gin. search_text is the name, the domain and
//   the tenant id lowered once when written: lowering them in each row a search tests (ILIKE) cost four times
//   LIKE's time, and the planner, which does not know it, walked the broker's rows for a term in a few percent
//   of them (50-70 ms at 100,000 tenants instead of 4 ms through the index);
// - on PostgreSQL, the page's btree indexes end with id (and the status order's carries status), so that a deep
//   page reads its ids from the index alone and joins the table for its 25 rows only; the short search's index
//   compares in "C" so that LIKE 'ab%' is a range of it, in its order.
export class SearchByBroker1764200000000 implements MigrationInterface {
  name = 'SearchByBroker1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const statements = isPostgres(queryRunner) ? POSTGRES_UP : SQLITE_UP;
    for (const sql of statements) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const statements = isPostgres(queryRunner) ? POSTGRES_DOWN : SQLITE_DOWN;
    for (const sql of statements) await queryRunner.query(sql);
  }
}

const SQLITE_SEARCH_TRIGGERS_DROP = [
  'DROP TRIGGER tenants_search_insert',
  'DROP TRIGGER tenants_search_delete',
  'DROP TRIGGER tenants_search_update',
  'DROP TABLE tenants_search',
];

// External content read through a view, so that 'rebuild' (and FTS5's own checks) find the broker word too.
const SQLITE_UP = [
  ...SQLITE_SEARCH_TRIGGERS_DROP,
  `CREATE VIEW tenants_search_content AS
     SELECT id, name, domain, microsoft_tenant_id, ${brokerToken('broker_id')} AS broker FROM tenants`,
  `CREATE VIRTUAL TABLE tenants_search USING fts5(name, domain, microsoft_tenant_id, broker, content='tenants_search_content', content_rowid='id', tokenize='trigram')`,
  `INSERT INTO tenants_search (tenants_search) VALUES ('rebuild')`,
  `CREATE TRIGGER tenants_search_insert AFTER INSERT ON tenants BEGIN
     INSERT INTO tenants_search (rowid, name, domain, microsoft_tenant_id, broker) VALUES (new.id, new.name, new.domain, new.microsoft_tenant_id, ${brokerToken('new.broker_id')});
   END`,
  `CREATE TRIGGER tenants_search_delete AFTER DELETE ON tenants BEGIN
     INSERT INTO tenants_search (tenants_search, rowid, name, domain, microsoft_tenant_id, broker) VALUES ('delete', old.id, old.name, old.domain, old.microsoft_tenant_id, ${brokerToken('old.broker_id')});
   END`,
  `CREATE TRIGGER tenants_search_update AFTER UPDATE OF name, domain, microsoft_tenant_id, broker_id ON tenants BEGIN
     INSERT INTO tenants_search (tenants_search, rowid, name, domain, microsoft_tenant_id, broker) VALUES ('delete', old.id, old.name, old.domain, old.microsoft_tenant_id, ${brokerToken('old.broker_id')});
     INSERT INTO tenants_search (rowid, name, domain, microsoft_tenant_id, broker) VALUES (new.id, new.name, new.domain, new.microsoft_tenant_id, ${brokerToken('new.broker_id')});
   END`,
];

// The search index of migration McaPage, as it was.
const SQLITE_DOWN = [
  ...SQLITE_SEARCH_TRIGGERS_DROP,
  'DROP VIEW tenants_search_content',
  `CREATE VIRTUAL TABLE tenants_search USING fts5(name, domain, microsoft_tenant_id, content='tenants', content_rowid='id', tokenize='trigram')`,
  `INSERT INTO tenants_search (tenants_search) VALUES ('rebuild')`,
  `CREATE TRIGGER tenants_search_insert AFTER INSERT ON tenants BEGIN
     INSERT INTO tenants_search (rowid, name, domain, microsoft_tenant_id) VALUES (new.id, new.name, new.domain, new.microsoft_tenant_id);
   END`,
  `CREATE TRIGGER tenants_search_delete AFTER DELETE ON tenants BEGIN
     INSERT INTO tenants_search (tenants_search, rowid, name, domain, microsoft_tenant_id) VALUES ('delete', old.id, old.name, old.domain, old.microsoft_tenant_id);
   END`,
  `CREATE TRIGGER tenants_search_update AFTER UPDATE OF name, domain, microsoft_tenant_id ON tenants BEGIN
     INSERT INTO tenants_search (tenants_search, rowid, name, domain, microsoft_tenant_id) VALUES ('delete', old.id, old.name, old.domain, old.microsoft_tenant_id);
     INSERT INTO tenants_search (rowid, name, domain, microsoft_tenant_id) VALUES (new.id, new.name, new.domain, new.microsoft_tenant_id);
   END`,
];

// Each btree index of the page, before (as migrations Foundation, McaPage and Attestations made it) and after.
// The three one-column trigram indexes stay: the report's search still reads them.
const POSTGRES_INDEXES: { name: string; before: string; after: string }[] = [
  { name: 'ix_tenants_broker_name', before: '(broker_id, name)', after: '(broker_id, name, id)' },
  {
    name: 'ix_tenants_broker_status_name',
    before: '(broker_id, status, name)',
    after: '(broker_id, status, name, id)',
  },
  {
    name: 'ix_tenants_broker_rank_name',
    before: `(broker_id, ${STATUS_RANK_SQL}, name)`,
    // status itself too: an index-only read needs every column the expression uses.
    after: `(broker_id, ${STATUS_RANK_SQL}, name, id) INCLUDE (status)`,
  },
  {
    name: 'ix_tenants_broker_accepted',
    before: '(broker_id, accepted_at NULLS FIRST, name)',
    after: '(broker_id, accepted_at NULLS FIRST, name, id)',
  },
  {
    name: 'ix_tenants_broker_status_accepted',
    before: '(broker_id, status, accepted_at NULLS FIRST, name)',
    after: '(broker_id, status, accepted_at NULLS FIRST, name, id)',
  },
  {
    name: 'ix_tenants_broker_attestation_state',
    before: '(broker_id, attestation_state, name)',
    after: '(broker_id, attestation_state, name, id)',
  },
  {
    name: 'ix_tenants_broker_lower_name',
    before: '(broker_id, lower(name) text_pattern_ops, status, name, accepted_at)',
    after: '(broker_id, lower(name) COLLATE "C", status, name, accepted_at, id)',
  },
];

// The one-column trigram indexes of migration McaPage.
const COLUMN_TRIGRAM_INDEXES = [
  ['ix_tenants_name_trgm', 'name'],
  ['ix_tenants_domain_trgm', 'domain'],
  ['ix_tenants_ms_tenant_trgm', 'microsoft_tenant_id'],
];

const recreate = (version: 'before' | 'after'): string[] =>
  POSTGRES_INDEXES.flatMap((index) => [
    `DROP INDEX ${index.name}`,
    `CREATE INDEX ${index.name} ON tenants ${index[version]}`,
  ]);

const POSTGRES_UP = [
  'CREATE EXTENSION IF NOT EXISTS btree_gin',
  `ALTER TABLE tenants ADD COLUMN search_text text GENERATED ALWAYS AS (${SEARCH_TEXT_SQL}) STORED`,
  'CREATE INDEX ix_tenants_broker_search_trgm ON tenants USING gin (broker_id, search_text gin_trgm_ops)',
  ...recreate('after'),
  // Every search (the page's and the report's) reads the broker's index now; these only slowed every write.
  ...COLUMN_TRIGRAM_INDEXES.map(([name]) => `DROP INDEX ${name}`),
];

// The extension stays: pg_trgm's own migration leaves it too, and another schema object may need it by then.
const POSTGRES_DOWN = [
  ...COLUMN_TRIGRAM_INDEXES.map(
    ([name, column]) => `CREATE INDEX ${name} ON tenants USING gin (${column} gin_trgm_ops)`,
  ),
  'DROP INDEX ix_tenants_broker_search_trgm',
  'ALTER TABLE tenants DROP COLUMN search_text',
  ...recreate('before'),
];
