import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

export class SyncRuns1764110000000 implements MigrationInterface {
  name = 'SyncRuns1764110000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'sync_runs',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'triggered_by', type: 'varchar', length: '16' },
          { name: 'owner', type: 'varchar', length: '100' },
          timestampColumn(queryRunner, 'started_at'),
          timestampColumn(queryRunner, 'heartbeat_at'),
          timestampColumn(queryRunner, 'finished_at', { nullable: true }),
          { name: 'processed', type: 'integer', default: 0 },
          { name: 'total', type: 'integer', isNullable: true },
          { name: 'created', type: 'integer', default: 0 },
          { name: 'updated', type: 'integer', default: 0 },
          { name: 'removed', type: 'integer', default: 0 },
          { name: 'error', type: 'varchar', length: '1000', isNullable: true },
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
            name: 'ix_sync_runs_broker_status_finished',
            columnNames: ['broker_id', 'status', 'finished_at'],
          }),
          // The database itself refuses a second running sync for a broker, even from another app instance.
          new TableIndex({
            name: 'uq_sync_runs_one_running',
            columnNames: ['broker_id'],
            isUnique: true,
            where: "status = 'running'",
          }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('sync_runs');
  }
}
