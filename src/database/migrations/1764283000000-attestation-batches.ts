import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// Bulk attestation: a batch (from the MCA list's selection, an uploaded spreadsheet, or the API) and its rows. A
// batch is a draft while the partner previews it; confirming it once turns its valid rows into queued work. Each row
// keeps what was asked, what was found wrong with it (by column), and what came of it (the attestation it made).
export class AttestationBatches1764283000000 implements MigrationInterface {
  name = 'AttestationBatches1764283000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'attestation_batches',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'source', type: 'varchar', length: '16' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'file_name', type: 'varchar', length: '255', isNullable: true },
          { name: 'file_sha256', type: 'varchar', length: '64', isNullable: true },
          { name: 'row_count', type: 'integer', default: 0 },
          { name: 'created_by_user_id', type: 'integer', isNullable: true },
          { name: 'created_by_label', type: 'varchar', length: '300' },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
          timestampColumn(queryRunner, 'confirmed_at', { nullable: true }),
          timestampColumn(queryRunner, 'finished_at', { nullable: true }),
          timestampColumn(queryRunner, 'summary_sent_at', { nullable: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['broker_id'],
            referencedTableName: 'brokers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [new TableIndex({ name: 'ix_attestation_batches_broker', columnNames: ['broker_id', 'id'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'attestation_batch_rows',
        columns: [
          idColumn(),
          { name: 'batch_id', type: 'integer' },
          { name: 'row_number', type: 'integer' },
          { name: 'tenant_id', type: 'integer', isNullable: true },
          { name: 'microsoft_tenant_id', type: 'varchar', length: '100' },
          { name: 'company_name', type: 'varchar', length: '300' },
          { name: 'signatory_first_name', type: 'varchar', length: '100' },
          { name: 'signatory_last_name', type: 'varchar', length: '100' },
          { name: 'signatory_email', type: 'varchar', length: '254' },
          { name: 'signatory_phone', type: 'varchar', length: '40', isNullable: true },
          { name: 'country', type: 'varchar', length: '100' },
          { name: 'language', type: 'varchar', length: '100' },
          { name: 'auto_finalize', type: 'boolean', default: false },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'errors', type: 'text', isNullable: true },
          { name: 'skip_reason', type: 'varchar', length: '300', isNullable: true },
          { name: 'attestation_id', type: 'integer', isNullable: true },
          { name: 'error', type: 'varchar', length: '1000', isNullable: true },
          timestampColumn(queryRunner, 'updated_at', { defaultNow: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['batch_id'],
            referencedTableName: 'attestation_batches',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_attestation_batch_rows_number',
            columnNames: ['batch_id', 'row_number'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'ix_attestation_batch_rows_status',
            columnNames: ['batch_id', 'status', 'row_number'],
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('attestation_batch_rows');
    await queryRunner.dropTable('attestation_batches');
  }
}
