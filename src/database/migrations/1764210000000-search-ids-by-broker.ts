import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from './schema-helpers';

// On PostgreSQL, a term found in most of a broker's tenants ("onmicrosoft") is read by walking the broker's rows in
// id order until the search's cap. With ix_tenants_broker_id holding only (broker_id, id), each of those rows was a
// table read, and the planner priced walking the primary key (every broker's rows, filtered) about the same: it
// read 400,000 other brokers' rows first (540 ms at 5 × 100,000 tenants). Holding search_text too, the index
// answers the walk alone (under 1 ms). SQLite searches through FTS5 and keeps its index as it is.
export class SearchIdsByBroker1764210000000 implements MigrationInterface {
  name = 'SearchIdsByBroker1764210000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isPostgres(queryRunner)) return;
    await queryRunner.query('DROP INDEX ix_tenants_broker_id');
    await queryRunner.query('CREATE INDEX ix_tenants_broker_id ON tenants (broker_id, id) INCLUDE (search_text)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (!isPostgres(queryRunner)) return;
    await queryRunner.query('DROP INDEX ix_tenants_broker_id');
    await queryRunner.query('CREATE INDEX ix_tenants_broker_id ON tenants (broker_id, id)');
  }
}
