import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// A unique key holds while its job is queued or running, and after it succeeded too when the job's work must
// happen once ('forever'); a dead or cancelled job frees its key so the work can be asked for again.
const UNIQUE_KEY_HELD =
  "unique_key IS NOT NULL AND (state IN ('queued', 'running') OR (state = 'succeeded' AND unique_scope = 'forever'))";

export class JobsAndOutbox1764140000000 implements MigrationInterface {
  name = 'JobsAndOutbox1764140000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'jobs',
        columns: [
          idColumn(),
          { name: 'type', type: 'varchar', length: '100' },
          { name: 'payload', type: 'text' },
          // No foreign key: a job whose broker was deleted must end as dead with a readable error, not vanish.
          { name: 'broker_id', type: 'integer', isNullable: true },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'unique_key', type: 'varchar', length: '200', isNullable: true },
          { name: 'unique_scope', type: 'varchar', length: '16', default: "'forever'" },
          { name: 'attempts', type: 'integer', default: 0 },
          { name: 'max_attempts', type: 'integer', default: 5 },
          timestampColumn(queryRunner, 'run_at'),
          { name: 'locked_by', type: 'varchar', length: '100', isNullable: true },
          timestampColumn(queryRunner, 'locked_until', { nullable: true }),
          { name: 'progress_done', type: 'integer', isNullable: true },
          { name: 'progress_total', type: 'integer', isNullable: true },
          { name: 'last_error', type: 'varchar', length: '2000', isNullable: true },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'started_at', { nullable: true }),
          timestampColumn(queryRunner, 'finished_at', { nullable: true }),
        ],
        indices: [
          new TableIndex({ name: 'ix_jobs_state_run_at', columnNames: ['state', 'run_at'] }),
          new TableIndex({ name: 'ix_jobs_state_locked_until', columnNames: ['state', 'locked_until'] }),
          new TableIndex({ name: 'ix_jobs_broker_state', columnNames: ['broker_id', 'state'] }),
          new TableIndex({
            name: 'uq_jobs_unique_key',
            columnNames: ['unique_key'],
            isUnique: true,
            where: UNIQUE_KEY_HELD,
          }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'outbox_messages',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer', isNullable: true },
          { name: 'message_id', type: 'varchar', length: '200' },
          { name: 'to_address', type: 'varchar', length: '320' },
          { name: 'subject', type: 'varchar', length: '500' },
          { name: 'template', type: 'varchar', length: '100' },
          { name: 'html', type: 'text' },
          { name: 'text', type: 'text' },
          { name: 'attachments', type: 'text', isNullable: true },
          { name: 'delivery', type: 'varchar', length: '1000', isNullable: true },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'sent_at', { nullable: true }),
        ],
        indices: [
          new TableIndex({ name: 'uq_outbox_messages_message_id', columnNames: ['message_id'], isUnique: true }),
          new TableIndex({ name: 'ix_outbox_messages_broker_created', columnNames: ['broker_id', 'created_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('outbox_messages');
    await queryRunner.dropTable('jobs');
  }
}
