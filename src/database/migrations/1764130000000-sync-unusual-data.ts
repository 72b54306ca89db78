import { MigrationInterface, QueryRunner } from 'typeorm';

// What a sync had to mend in Partner Center's data (a name cut or missing, a date left empty): how many customers,
// and the first of their ids, shown on the sync status. Plain ADD COLUMN: the same statement on both databases,
// and SQLite keeps the table (and its partial unique index) as it is.
export class SyncUnusualData1764130000000 implements MigrationInterface {
  name = 'SyncUnusualData1764130000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sync_runs ADD COLUMN unusual_count integer NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE sync_runs ADD COLUMN unusual_ids varchar(2000)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sync_runs DROP COLUMN unusual_ids');
    await queryRunner.query('ALTER TABLE sync_runs DROP COLUMN unusual_count');
  }
}
