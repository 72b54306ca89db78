import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, isPostgres, timestampColumn } from './schema-helpers';

// Backups and the audit chain's anchors:
// - backup_settings: the one row of the scheduled backup (time of day in a zone, folder, how many to keep);
// - backup_runs: every backup made (scheduled or from the command line), with its size, duration and result;
// - audit_anchors: the signed chain heads as they were written out of the database (the log, a backup file);
// - app_instances: each running instance's heartbeat, so that `restore` can refuse a database in use;
// - outbox_messages.handed_at: when a message was first handed to the mail server, committed before the send, so
//   a message that was handed over but never confirmed is known to be possibly delivered.
export class Backups1764260000000 implements MigrationInterface {
  name = 'Backups1764260000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'backup_settings',
        columns: [
          { name: 'id', type: 'integer', isPrimary: true },
          { name: 'enabled', type: 'boolean', default: false },
          { name: 'time_of_day', type: 'varchar', length: '5' },
          { name: 'time_zone', type: 'varchar', length: '64' },
          { name: 'folder', type: 'varchar', length: '1000' },
          { name: 'keep', type: 'integer' },
          timestampColumn(queryRunner, 'updated_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'backup_runs',
        columns: [
          idColumn(),
          { name: 'trigger', type: 'varchar', length: '16' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'file', type: 'varchar', length: '1000' },
          { name: 'bytes', type: 'bigint', isNullable: true },
          { name: 'duration_ms', type: 'integer', isNullable: true },
          { name: 'error', type: 'varchar', length: '2000', isNullable: true },
          timestampColumn(queryRunner, 'started_at'),
          timestampColumn(queryRunner, 'finished_at', { nullable: true }),
        ],
        indices: [new TableIndex({ name: 'ix_backup_runs_started_at', columnNames: ['started_at'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'audit_anchors',
        columns: [
          idColumn(),
          { name: 'anchor', type: 'text' },
          { name: 'written_to', type: 'varchar', length: '1100' },
          timestampColumn(queryRunner, 'created_at'),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'app_instances',
        columns: [
          { name: 'id', type: 'varchar', length: '100', isPrimary: true },
          { name: 'host', type: 'varchar', length: '255' },
          { name: 'pid', type: 'integer' },
          timestampColumn(queryRunner, 'started_at'),
          timestampColumn(queryRunner, 'seen_at'),
        ],
      }),
    );
    // Plain ALTER TABLE: TypeORM's addColumn rebuilds a SQLite table.
    await queryRunner.query(
      `ALTER TABLE outbox_messages ADD COLUMN handed_at ${isPostgres(queryRunner) ? 'timestamptz' : 'datetime'} NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE outbox_messages DROP COLUMN handed_at');
    await queryRunner.dropTable('app_instances');
    await queryRunner.dropTable('audit_anchors');
    await queryRunner.dropTable('backup_runs');
    await queryRunner.dropTable('backup_settings');
  }
}
