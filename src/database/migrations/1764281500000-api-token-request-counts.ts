import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { timestampColumn } from './schema-helpers';

// The API's rate limit: requests per token per minute, one row per token and minute (a counter, not a row per
// request), shared by every app instance. Old minutes are deleted by an hourly job.
export class ApiTokenRequestCounts1764281500000 implements MigrationInterface {
  name = 'ApiTokenRequestCounts1764281500000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_token_request_counts',
        columns: [
          { name: 'token_id', type: 'integer', isPrimary: true },
          { ...timestampColumn(queryRunner, 'window_start'), isPrimary: true },
          { name: 'requests', type: 'integer' },
        ],
        foreignKeys: [
          {
            columnNames: ['token_id'],
            referencedTableName: 'api_tokens',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [new TableIndex({ name: 'ix_api_token_request_counts_window', columnNames: ['window_start'] })],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_token_request_counts');
  }
}
