import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from './schema-helpers';

// Background work lists a broker's jobs newest first, by state or by kind, a page at a time: each of those reads
// walks an index in id order and stops at the page's end, however many finished jobs the retention keeps. SQLite
// ends every index with the rowid (the id), so (broker_id, state) already serves the state filter there.
export class JobListByBroker1764241000000 implements MigrationInterface {
  name = 'JobListByBroker1764241000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX ix_jobs_broker_id ON jobs (broker_id, id)');
    await queryRunner.query('CREATE INDEX ix_jobs_broker_type ON jobs (broker_id, type, id)');
    if (!isPostgres(queryRunner)) return;
    await queryRunner.query('DROP INDEX ix_jobs_broker_state');
    await queryRunner.query('CREATE INDEX ix_jobs_broker_state ON jobs (broker_id, state, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX ix_jobs_broker_type');
    await queryRunner.query('DROP INDEX ix_jobs_broker_id');
    if (!isPostgres(queryRunner)) return;
    await queryRunner.query('DROP INDEX ix_jobs_broker_state');
    await queryRunner.query('CREATE INDEX ix_jobs_broker_state ON jobs (broker_id, state)');
  }
}
