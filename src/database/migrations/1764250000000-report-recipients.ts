import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { timestampColumn } from './schema-helpers';

// Who reports may be mailed to: per broker, the domains an admin allows besides each requester's own address.
// And, per user, the refused report requests not yet in the audit trail: a scan of the form is refused thousands
// of times, recorded as at most one event a minute with the count (src/reports/report-refusals.ts).
export class ReportRecipients1764250000000 implements MigrationInterface {
  name = 'ReportRecipients1764250000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'report_settings',
        columns: [
          { name: 'broker_id', type: 'integer', isPrimary: true },
          { name: 'recipient_domains', type: 'varchar', length: '2000', default: "''" },
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
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'report_refusal_tallies',
        columns: [
          { name: 'user_id', type: 'integer', isPrimary: true },
          { name: 'broker_id', type: 'integer' },
          { name: 'pending', type: 'integer', default: 0 },
          { name: 'last_reason', type: 'varchar', length: '32', isNullable: true },
          { name: 'last_address', type: 'varchar', length: '254', isNullable: true },
          timestampColumn(queryRunner, 'recorded_at', { nullable: true }),
        ],
        foreignKeys: [
          {
            columnNames: ['user_id'],
            referencedTableName: 'users',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('report_refusal_tallies');
    await queryRunner.dropTable('report_settings');
  }
}
