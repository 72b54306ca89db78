import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

export class Foundation1764100000000 implements MigrationInterface {
  name = 'Foundation1764100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'brokers',
        columns: [
          idColumn(),
          { name: 'name', type: 'varchar', length: '200' },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'email', type: 'varchar', length: '254' },
          { name: 'name', type: 'varchar', length: '200' },
          { name: 'password_hash', type: 'varchar', length: '255' },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'active', type: 'boolean', default: true },
          timestampColumn(queryRunner, 'created_at', { defaultNow: true }),
          timestampColumn(queryRunner, 'last_sign_in_at', { nullable: true }),
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
          new TableIndex({ name: 'ix_users_broker', columnNames: ['broker_id'] }),
          new TableIndex({ name: 'uq_users_email', columnNames: ['email'], isUnique: true }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sessions',
        columns: [
          { name: 'id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'user_id', type: 'integer', isNullable: true },
          { name: 'data', type: 'text' },
          timestampColumn(queryRunner, 'expires_at'),
        ],
        indices: [
          new TableIndex({ name: 'ix_sessions_user', columnNames: ['user_id'] }),
          new TableIndex({ name: 'ix_sessions_expires', columnNames: ['expires_at'] }),
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tenants',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'microsoft_tenant_id', type: 'varchar', length: '64' },
          { name: 'name', type: 'varchar', length: '300' },
          { name: 'domain', type: 'varchar', length: '300', default: "''" },
          { name: 'status', type: 'varchar', length: '16', default: "'none'" },
          { name: 'directly_signed', type: 'boolean', default: false },
          timestampColumn(queryRunner, 'accepted_at', { nullable: true }),
          timestampColumn(queryRunner, 'removed_at', { nullable: true }),
          timestampColumn(queryRunner, 'last_synced_at', { nullable: true }),
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
        ],
        indices: [
          new TableIndex({
            name: 'uq_tenants_broker_ms_tenant',
            columnNames: ['broker_id', 'microsoft_tenant_id'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_tenants_broker_name', columnNames: ['broker_id', 'name'] }),
          new TableIndex({ name: 'ix_tenants_broker_status_name', columnNames: ['broker_id', 'status', 'name'] }),
          new TableIndex({ name: 'ix_tenants_broker_accepted', columnNames: ['broker_id', 'accepted_at'] }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['tenants', 'sessions', 'users', 'brokers']) await queryRunner.dropTable(table);
  }
}
