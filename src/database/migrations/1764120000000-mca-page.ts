import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, isPostgres } from './schema-helpers';

// The status sort's order as of this migration (frozen: the list's own copy lives in src/tenants/tenants.repository.ts
// and must stay the same text for the index to serve it; the schema snapshot test holds the two together).
const STATUS_RANK_SQL = "(CASE status WHEN 'none' THEN 0 WHEN 'pending' THEN 1 WHEN 'direct' THEN 2 ELSE 3 END)";

// The MCA page at 100,000 tenants: per-status counts kept by the database itself (so every writer, the sync or an
// attestation, keeps them right without code), an index for each sort, and substring search (FTS5 trigram on
// SQLite, pg_trgm on PostgreSQL).
export class McaPage1764120000000 implements MigrationInterface {
  name = 'McaPage1764120000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'tenant_status_counts',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'removed', type: 'boolean' },
          { name: 'tenant_count', type: 'integer', default: 0 },
        ],
        foreignKeys: [
          {
            columnNames: ['broker_id'],
            referencedTableName: 'brokers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_tenant_status_counts',
            columnNames: ['broker_id', 'status', 'removed'],
            isUnique: true,
          }),
        ],
      }),
    );
    await queryRunner.query(
      `INSERT INTO tenant_status_counts (broker_id, status, removed, tenant_count)
       SELECT broker_id, status, removed_at IS NOT NULL, count(*) FROM tenants GROUP BY broker_id, status, removed_at IS NOT NULL`,
    );

    await queryRunner.dropIndex('tenants', 'ix_tenants_broker_accepted');
    if (isPostgres(queryRunner)) await this.upPostgres(queryRunner);
    else await this.upSqlite(queryRunner);
  }

  // "No date yet" sorts as the oldest date on both drivers (SQLite's own order for NULL), so one index serves
  // both directions of the date sort.
  private async upSqlite(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [
      'CREATE INDEX ix_tenants_broker_accepted ON tenants (broker_id, accepted_at, name)',
      'CREATE INDEX ix_tenants_broker_status_accepted ON tenants (broker_id, status, accepted_at, name)',
      `CREATE INDEX ix_tenants_broker_rank_name ON tenants (broker_id, ${STATUS_RANK_SQL}, name)`,
      // Search for a term too short for trigrams (the start of the name): counted and paged from the index alone.
      'CREATE INDEX ix_tenants_broker_lower_name ON tenants (broker_id, lower(name), status, name, accepted_at)',

      `CREATE TRIGGER tenants_counts_insert AFTER INSERT ON tenants BEGIN
         INSERT INTO tenant_status_counts (broker_id, status, removed, tenant_count) VALUES (new.broker_id, new.status, new.removed_at IS NOT NULL, 1)
         ON CONFLICT (broker_id, status, removed) DO UPDATE SET tenant_count = tenant_count + 1;
       END`,
      `CREATE TRIGGER tenants_counts_delete AFTER DELETE ON tenants BEGIN
         UPDATE tenant_status_counts SET tenant_count = tenant_count - 1
         WHERE broker_id = old.broker_id AND status = old.status AND removed = (old.removed_at IS NOT NULL);
       END`,
      `CREATE TRIGGER tenants_counts_update AFTER UPDATE OF broker_id, status, removed_at ON tenants
       WHEN old.broker_id IS NOT new.broker_id OR old.status IS NOT new.status OR (old.removed_at IS NULL) <> (new.removed_at IS NULL)
       BEGIN
         UPDATE tenant_status_counts SET tenant_count = tenant_count - 1
         WHERE broker_id = old.broker_id AND status = old.status AND removed = (old.removed_at IS NOT NULL);
         INSERT INTO tenant_status_counts (broker_id, status, removed, tenant_count) VALUES (new.broker_id, new.status, new.removed_at IS NOT NULL, 1)
         ON CONFLICT (broker_id, status, removed) DO UPDATE SET tenant_count = tenant_count + 1;
       END`,

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
    ]) {
      await queryRunner.query(sql);
    }
  }

  private async upPostgres(queryRunner: QueryRunner): Promise<void> {
    for (const sql of [
      'CREATE INDEX ix_tenants_broker_accepted ON tenants (broker_id, accepted_at NULLS FIRST, name)',
      'CREATE INDEX ix_tenants_broker_status_accepted ON tenants (broker_id, status, accepted_at NULLS FIRST, name)',
      `CREATE INDEX ix_tenants_broker_rank_name ON tenants (broker_id, ${STATUS_RANK_SQL}, name)`,
      // Search for a term too short for trigrams (the start of the name); text_pattern_ops lets LIKE 'ab%' use the
      // index whatever the collation.
      'CREATE INDEX ix_tenants_broker_lower_name ON tenants (broker_id, lower(name) text_pattern_ops, status, name, accepted_at)',

      `CREATE FUNCTION tenant_status_counts_track() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('UPDATE', 'DELETE') THEN
           UPDATE tenant_status_counts SET tenant_count = tenant_count - 1
           WHERE broker_id = OLD.broker_id AND status = OLD.status AND removed = (OLD.removed_at IS NOT NULL);
         END IF;
         IF TG_OP IN ('UPDATE', 'INSERT') THEN
           INSERT INTO tenant_status_counts (broker_id, status, removed, tenant_count) VALUES (NEW.broker_id, NEW.status, NEW.removed_at IS NOT NULL, 1)
           ON CONFLICT (broker_id, status, removed) DO UPDATE SET tenant_count = tenant_status_counts.tenant_count + 1;
         END IF;
         RETURN NULL;
       END $$`,
      'CREATE TRIGGER tenants_counts_insert_delete AFTER INSERT OR DELETE ON tenants FOR EACH ROW EXECUTE FUNCTION tenant_status_counts_track()',
      `CREATE TRIGGER tenants_counts_update AFTER UPDATE OF broker_id, status, removed_at ON tenants FOR EACH ROW
       WHEN (OLD.broker_id IS DISTINCT FROM NEW.broker_id OR OLD.status IS DISTINCT FROM NEW.status OR (OLD.removed_at IS NULL) <> (NEW.removed_at IS NULL))
       EXECUTE FUNCTION tenant_status_counts_track()`,

      'CREATE EXTENSION IF NOT EXISTS pg_trgm',
      'CREATE INDEX ix_tenants_name_trgm ON tenants USING gin (name gin_trgm_ops)',
      'CREATE INDEX ix_tenants_domain_trgm ON tenants USING gin (domain gin_trgm_ops)',
      'CREATE INDEX ix_tenants_ms_tenant_trgm ON tenants USING gin (microsoft_tenant_id gin_trgm_ops)',
    ]) {
      await queryRunner.query(sql);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const postgres = isPostgres(queryRunner);
    const statements = postgres
      ? [
          'DROP TRIGGER tenants_counts_update ON tenants',
          'DROP TRIGGER tenants_counts_insert_delete ON tenants',
          'DROP FUNCTION tenant_status_counts_track()',
          'DROP INDEX ix_tenants_name_trgm',
          'DROP INDEX ix_tenants_domain_trgm',
          'DROP INDEX ix_tenants_ms_tenant_trgm',
        ]
      : [
          'DROP TRIGGER tenants_counts_insert',
          'DROP TRIGGER tenants_counts_delete',
          'DROP TRIGGER tenants_counts_update',
          'DROP TRIGGER tenants_search_insert',
          'DROP TRIGGER tenants_search_delete',
          'DROP TRIGGER tenants_search_update',
          'DROP TABLE tenants_search',
        ];
    for (const sql of [
      ...statements,
      'DROP INDEX ix_tenants_broker_lower_name',
      'DROP INDEX ix_tenants_broker_rank_name',
      'DROP INDEX ix_tenants_broker_status_accepted',
      'DROP INDEX ix_tenants_broker_accepted',
    ]) {
      await queryRunner.query(sql);
    }
    await queryRunner.createIndex(
      'tenants',
      new TableIndex({ name: 'ix_tenants_broker_accepted', columnNames: ['broker_id', 'accepted_at'] }),
    );
    await queryRunner.dropTable('tenant_status_counts');
  }
}
