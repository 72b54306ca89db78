import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { isPostgres } from './schema-helpers';

// A finished report's file, in the database in chunks, so that every instance can download and mail it (DATA_DIR is
// each instance's own). Written a chunk a transaction: on SQLite no write waits long behind a large report.
export class ReportFiles1764270000000 implements MigrationInterface {
  name = 'ReportFiles1764270000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'report_file_chunks',
        columns: [
          { name: 'request_id', type: 'integer', isPrimary: true },
          { name: 'seq', type: 'integer', isPrimary: true },
          { name: 'bytes', type: isPostgres(queryRunner) ? 'bytea' : 'blob' },
        ],
        foreignKeys: [
          {
            columnNames: ['request_id'],
            referencedTableName: 'report_requests',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('report_file_chunks');
  }
}
