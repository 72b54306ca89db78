import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { idColumn, timestampColumn } from './schema-helpers';

// States in which an attestation still needs something (the customer's acceptance, or a finalize): a tenant has at
// most one such attestation, which the database itself guarantees (two tabs, a double click, two app instances).
export const OPEN_ATTESTATION_STATES_SQL = "('awaiting_acceptance', 'accepted', 'finalize_failed')";

export class Attestations1764160000000 implements MigrationInterface {
  name = 'Attestations1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = (name: string, length: number, nullable = false) => ({
      name,
      type: 'varchar',
      length: String(length),
      isNullable: nullable,
    });
    const at = (name: string) => timestampColumn(queryRunner, name, { nullable: true });
    await queryRunner.createTable(
      new Table({
        name: 'attestations',
        columns: [
          idColumn(),
          { name: 'broker_id', type: 'integer' },
          { name: 'tenant_id', type: 'integer' },
          text('pc_attestation_id', 100),
          // The form's one-time token: a replayed or double-submitted form finds the attestation it already made.
          text('request_token', 64),
          text('signatory_first_name', 100),
          text('signatory_last_name', 100),
          text('signatory_email', 254),
          text('signatory_phone', 40, true),
          text('company_name', 300),
          text('country', 2),
          text('language', 10),
          { name: 'auto_finalize', type: 'boolean', default: false },
          { name: 'email_link', type: 'boolean', default: false },
          text('state', 24),
          text('link', 2000),
          at('link_expires_at'),
          text('template_id', 100, true),
          text('agreement_link', 500, true),
          { name: 'created_by_user_id', type: 'integer', isNullable: true },
          text('created_by_label', 300),
          timestampColumn(queryRunner, 'created_at'),
          at('accepted_at'),
          at('finalize_requested_at'),
          at('finalized_at'),
          at('failed_at'),
          at('cancelled_at'),
          at('expired_at'),
          text('last_error', 1000, true),
          at('last_polled_at'),
          at('next_poll_at'),
          at('emailed_at'),
          at('reminded_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['broker_id'],
            referencedTableName: 'brokers',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
          {
            columnNames: ['tenant_id'],
            referencedTableName: 'tenants',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_attestations_one_open',
            columnNames: ['tenant_id'],
            isUnique: true,
            where: `state IN ${OPEN_ATTESTATION_STATES_SQL}`,
          }),
          new TableIndex({ name: 'uq_attestations_request_token', columnNames: ['request_token'], isUnique: true }),
          new TableIndex({
            name: 'ix_attestations_broker_tenant',
            columnNames: ['broker_id', 'tenant_id', 'created_at'],
          }),
          new TableIndex({ name: 'ix_attestations_state_poll', columnNames: ['state', 'next_poll_at'] }),
          new TableIndex({ name: 'ix_attestations_pc_id', columnNames: ['pc_attestation_id'] }),
        ],
      }),
    );
    // Which part of the wait a tenant's latest attestation is in, for the list's row text and its two chips. Plain
    // ALTER TABLE: TypeORM's addColumn rebuilds a SQLite table, which would drop the tenants' count and search triggers.
    await queryRunner.query('ALTER TABLE tenants ADD COLUMN attestation_state varchar(24) NULL');
    await queryRunner.query(
      'CREATE INDEX ix_tenants_broker_attestation_state ON tenants (broker_id, attestation_state, name)',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX ix_tenants_broker_attestation_state');
    await queryRunner.query('ALTER TABLE tenants DROP COLUMN attestation_state');
    await queryRunner.dropTable('attestations');
  }
}
