import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// The MCA report: each request (by a user, or a schedule's run) and the schedules.
export class Reports1764180000000 implements MigrationInterface {
  name = 'Reports1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A report reads a broker's tenants in id order, a batch at a time from the last id: without this index each
    // batch would sort every tenant of the broker again.
    await queryRunner.createIndex(
      'tenants',
      new TableIndex({ name: 'ix_tenants_broker_id', columnNames: ['broker_id', 'id'] }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'report_schedules',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'frequency', type: 'varchar', length: '8' },
          { name: 'weekday', type: 'integer', isNullable: true },
          { name: 'day_of_month', type: 'integer', isNullable: true },
          { name: 'time_of_day', type: 'varchar', length: '5' },
          { name: 'time_zone', type: 'varchar', length: '64' },
          { name: 'recipients', type: 'varchar', length: '5000' },
          { name: 'format', type: 'varchar', length: '8' },
          { name: 'status_filter', type: 'varchar', length: '16', default: "'all'" },
          { name: 'paused', type: 'boolean', default: false },
          timestampColumn(queryRunner, 'next_run_at'),
          timestampColumn(queryRunner, 'last_run_at', { nullable: true }),
          { name: 'last_result', type: 'varchar', length: '1000', isNullable: true },
          { name: 'created_by', type: 'integer', isNullable: true },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
          timestampColumn(queryRunner, 'updated_at', { defaultNow: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['broker_id'],
            referencedTableName: 'brokers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['created_by'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
        indices: [
          new TableIndex({ name: 'ix_report_schedules_due', columnNames: ['paused', 'next_run_at'] }),
          new TableIndex({ name: 'ix_report_schedules_broker', columnNames: ['broker_id', 'name'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'report_requests',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'requested_by', type: 'integer', isNullable: true },
          { name: 'schedule_id', type: 'integer', isNullable: true },
          // The scheduled time this run is for: with schedule_id, unique, so that a due run is taken once.
          timestampColumn(queryRunner, 'due_at', { nullable: true }),
          { name: 'email', type: 'varchar', length: '5000' },
          { name: 'format', type: 'varchar', length: '8' },
          { name: 'filter', type: 'varchar', length: '1000' },
          { name: 'state', type: 'varchar', length: '16', default: "'queued'" },
          { name: 'rows_written', type: 'integer', default: 0 },
          { name: 'rows_total', type: 'integer', isNullable: true },
          { name: 'file_path', type: 'varchar', length: '500', isNullable: true },
          { name: 'file_size', type: 'integer', isNullable: true },
          { name: 'delivery', type: 'varchar', length: '16', isNullable: true },
          { name: 'error', type: 'varchar', length: '1000', isNullable: true },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
          timestampColumn(queryRunner, 'started_at', { nullable: true }),
          timestampColumn(queryRunner, 'finished_at', { nullable: true }),
          timestampColumn(queryRunner, 'expires_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['broker_id'],
            referencedTableName: 'brokers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['requested_by'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
          {
            columnNames: ['schedule_id'],
            referencedTableName: 'report_schedules',
            referencedColumnNames: ['id'],
            onDelete: 'SET NULL',
          },
        ],
        indices: [
          new TableIndex({
            name: 'ix_report_requests_requester',
            columnNames: ['broker_id', 'requested_by', 'created_at'],
          }),
          new TableIndex({
            name: 'uq_report_requests_schedule_due',
            columnNames: ['schedule_id', 'due_at'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_report_requests_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('report_requests');
    await queryRunner.dropTable('report_schedules');
    await queryRunner.dropIndex('tenants', 'ix_tenants_broker_id');
  }
}
