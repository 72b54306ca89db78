import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// Sign in with Microsoft, per broker: the Entra ID app registration (its secret sealed), whether new users of the
// tenant may be created as viewers, whether password sign-in is still allowed, and when an admin last signed in
// with Microsoft (password sign-in may only be turned off after one has). Each user's last sign-in method.
export class EntraSignIn1764245000000 implements MigrationInterface {
  name = 'EntraSignIn1764245000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'entra_settings',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'enabled', type: 'boolean', default: false },
          { name: 'tenant_id', type: 'varchar', length: '64', default: "''" },
          { name: 'client_id', type: 'varchar', length: '64', default: "''" },
          { name: 'client_secret_sealed', type: 'text', isNullable: true },
          { name: 'allow_new_users', type: 'boolean', default: false },
          { name: 'password_sign_in', type: 'boolean', default: true },
          timestampColumn(queryRunner, 'admin_signed_in_at', { nullable: true }),
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
        indices: [new TableIndex({ name: 'uq_entra_settings_broker', columnNames: ['broker_id'], isUnique: true })],
      }),
    );
    // Plain ALTER TABLE: TypeORM's addColumn rebuilds a SQLite table.
    await queryRunner.query('ALTER TABLE users ADD COLUMN last_sign_in_method varchar(16) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE users DROP COLUMN last_sign_in_method');
    await queryRunner.dropTable('entra_settings');
  }
}
