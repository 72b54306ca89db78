import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

export class PartnerCenterSettings1764110000001 implements MigrationInterface {
  name = 'PartnerCenterSettings1764110000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'partner_center_settings',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'mode', type: 'varchar', length: '16' },
          { name: 'tenant_id', type: 'varchar', length: '64', default: "''" },
          { name: 'app_id', type: 'varchar', length: '64', default: "''" },
          { name: 'app_secret_sealed', type: 'text', isNullable: true },
          { name: 'refresh_token_sealed', type: 'text', isNullable: true },
          { name: 'connected_user', type: 'varchar', length: '300', isNullable: true },
          timestampColumn(queryRunner, 'connected_at', { nullable: true }),
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
          new TableIndex({ name: 'uq_partner_center_settings_broker', columnNames: ['broker_id'], isUnique: true }),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('partner_center_settings');
  }
}
