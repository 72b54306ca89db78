import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// Partners' webhook endpoints (their signing secret sealed), the messages queued for each in the transaction of
// their cause (one stable id each, kept across attempts), and the log of every delivery attempt.
export class Webhooks1764282000000 implements MigrationInterface {
  name = 'Webhooks1764282000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const cascade = (column: string, table: string) => ({
      columnNames: [column],
      referencedTableName: table,
      referencedColumnNames: ['id'],
      onDelete: 'CASCADE',
    });
    await queryRunner.createTable(
      new Table({
        name: 'webhook_endpoints',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'url', type: 'varchar', length: '2000' },
          { name: 'description', type: 'varchar', length: '200' },
          { name: 'events', type: 'varchar', length: '1000' },
          { name: 'enabled', type: 'boolean' },
          { name: 'secret_sealed', type: 'varchar', length: '500' },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'updated_at'),
        ],
        foreignKeys: [cascade('broker_id', 'brokers')],
        indices: [new TableIndex({ name: 'ix_webhook_endpoints_broker', columnNames: ['broker_id', 'id'] })],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_messages',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'endpoint_id', type: 'integer' },
          { name: 'message_id', type: 'varchar', length: '64' },
          { name: 'event_type', type: 'varchar', length: '64' },
          { name: 'payload', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'attempts', type: 'integer', default: 0 },
          timestampColumn(queryRunner, 'created_at'),
          timestampColumn(queryRunner, 'last_attempt_at', { nullable: true }),
          timestampColumn(queryRunner, 'next_attempt_at', { nullable: true }),
        ],
        foreignKeys: [cascade('broker_id', 'brokers'), cascade('endpoint_id', 'webhook_endpoints')],
        indices: [
          new TableIndex({ name: 'uq_webhook_messages_message_id', columnNames: ['message_id'], isUnique: true }),
          new TableIndex({ name: 'ix_webhook_messages_endpoint', columnNames: ['endpoint_id', 'id'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webhook_attempts',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'endpoint_id', type: 'integer' },
          { name: 'message_row_id', type: 'integer' },
          { name: 'attempt', type: 'integer' },
          timestampColumn(queryRunner, 'started_at'),
          { name: 'status_code', type: 'integer', isNullable: true },
          { name: 'error', type: 'varchar', length: '500', isNullable: true },
          { name: 'duration_ms', type: 'integer' },
          { name: 'response_excerpt', type: 'varchar', length: '1000', isNullable: true },
        ],
        foreignKeys: [
          cascade('broker_id', 'brokers'),
          cascade('endpoint_id', 'webhook_endpoints'),
          cascade('message_row_id', 'webhook_messages'),
        ],
        indices: [
          new TableIndex({ name: 'ix_webhook_attempts_endpoint', columnNames: ['endpoint_id', 'id'] }),
          new TableIndex({ name: 'ix_webhook_attempts_message', columnNames: ['message_row_id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('webhook_attempts');
    await queryRunner.dropTable('webhook_messages');
    await queryRunner.dropTable('webhook_endpoints');
  }
}
