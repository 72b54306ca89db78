import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// The API's Idempotency-Key answers, per token, kept a day; and the indexes the API's attestation list pages by
// (the broker's attestations in one state, or all of them, newest first).
export class ApiIdempotencyKeys1764281000000 implements MigrationInterface {
  name = 'ApiIdempotencyKeys1764281000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_idempotency_keys',
        columns: [
          idColumn(),
          { name: 'token_id', type: 'integer' },
          { name: 'idempotency_key', type: 'varchar', length: '255' },
          { name: 'request_hash', type: 'varchar', length: '64' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'response_status', type: 'integer', isNullable: true },
          { name: 'response_type', type: 'varchar', length: '100', isNullable: true },
          { name: 'response_body', type: 'text', isNullable: true },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
          timestampColumn(queryRunner, 'started_at', { defaultNow: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['token_id'],
            referencedTableName: 'api_tokens',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_api_idempotency_keys_token_key',
            columnNames: ['token_id', 'idempotency_key'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_api_idempotency_keys_created', columnNames: ['created_at'] }),
        ],
      }),
    );
    await queryRunner.createIndex(
      'attestations',
      new TableIndex({ name: 'ix_attestations_broker_state_id', columnNames: ['broker_id', 'state', 'id'] }),
    );
    await queryRunner.createIndex(
      'attestations',
      new TableIndex({ name: 'ix_attestations_broker_id', columnNames: ['broker_id', 'id'] }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('attestations', 'ix_attestations_broker_id');
    await queryRunner.dropIndex('attestations', 'ix_attestations_broker_state_id');
    await queryRunner.dropTable('api_idempotency_keys');
  }
}
