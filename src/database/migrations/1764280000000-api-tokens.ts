import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// Tokens for the JSON API, per broker: only a hash of each is kept (the token is shown once), with what it may do,
// when it expires, when it was last used and when it was revoked.
export class ApiTokens1764280000000 implements MigrationInterface {
  name = 'ApiTokens1764280000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'api_tokens',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'scope', type: 'varchar', length: '16' },
          { name: 'token_hash', type: 'varchar', length: '64' },
          { name: 'token_prefix', type: 'varchar', length: '16' },
          { name: 'created_by_user_id', type: 'integer', isNullable: true },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
          timestampColumn(queryRunner, 'expires_at', { nullable: true }),
          timestampColumn(queryRunner, 'last_used_at', { nullable: true }),
          timestampColumn(queryRunner, 'revoked_at', { nullable: true }),
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
          new TableIndex({ name: 'uq_api_tokens_hash', columnNames: ['token_hash'], isUnique: true }),
          new TableIndex({ name: 'ix_api_tokens_broker', columnNames: ['broker_id', 'id'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('api_tokens');
  }
}
