import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// Rate limits counted in the database, so that every app instance sees the same counts (failed sign-ins, reset
// requests). The subject is a hash: no email or address is kept here.
export class RateLimitHits1764190000000 implements MigrationInterface {
  name = 'RateLimitHits1764190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'rate_limit_hits',
        columns: [
          idColumn(),
          { name: 'bucket', type: 'varchar', length: '40' },
          { name: 'subject', type: 'varchar', length: '64' },
          timestampColumn(queryRunner, 'at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_rate_limit_hits_key', columnNames: ['bucket', 'subject', 'at'] }),
          new TableIndex({ name: 'ix_rate_limit_hits_at', columnNames: ['at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('rate_limit_hits');
  }
}
