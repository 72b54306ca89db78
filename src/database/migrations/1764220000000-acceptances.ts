import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from './schema-helpers';

// A tenant's acceptances as Partner Center reports them (Microsoft's documentation, docs/partner-center.md): a
// direct acceptance (seen since when), a partner-confirmed agreement (its date, template and signatory; made by this
// app or outside it), when Partner Center last confirmed them and why not when a read failed, and whether the
// broker's "require acceptance on or after" date asks for a new acceptance. Tenants synced before have no
// acceptance_checked_at: the next sync reads their agreements. What the app recorded of its own finalized
// attestations becomes their partner acceptance.
const TENANT_COLUMNS = [
  ['direct_seen_at', 'TIMESTAMP NULL'],
  ['partner_accepted', 'boolean NOT NULL DEFAULT FALSE'],
  ['partner_agreed_at', 'TIMESTAMP NULL'],
  ['agreement_template_id', 'varchar(100) NULL'],
  ['agreement_signatory', 'varchar(400) NULL'],
  ['attested_outside', 'boolean NOT NULL DEFAULT FALSE'],
  ['own_agreement_contact', 'varchar(1000) NULL'],
  ['acceptance_checked_at', 'TIMESTAMP NULL'],
  ['acceptance_unconfirmed', 'varchar(300) NULL'],
  ['reacceptance', 'varchar(16) NULL'],
] as const;

interface FinalizedRow {
  tenant_id: number;
  signatory_first_name: string;
  signatory_last_name: string;
  signatory_email: string;
  signatory_phone: string | null;
  template_id: string | null;
}

export class Acceptances1764220000000 implements MigrationInterface {
  name = 'Acceptances1764220000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = isPostgres(queryRunner) ? 'timestamptz' : 'datetime';
    for (const [name, type] of TENANT_COLUMNS)
      await queryRunner.query(`ALTER TABLE tenants ADD COLUMN ${name} ${type.replace('TIMESTAMP', timestamp)}`);
    await queryRunner.query(
      isPostgres(queryRunner)
        ? 'CREATE INDEX ix_tenants_broker_reacceptance ON tenants (broker_id, reacceptance, name, id)'
        : 'CREATE INDEX ix_tenants_broker_reacceptance ON tenants (broker_id, reacceptance, name)',
    );
    await queryRunner.query(`ALTER TABLE partner_center_settings ADD COLUMN require_accepted_from ${timestamp} NULL`);
    // Microsoft's component for an attestation (the customer's link is a page of this app that shows it), and what
    // kind of refusal the last finalize met (e.g. contact details another partner attestation already uses).
    await queryRunner.query('ALTER TABLE attestations ADD COLUMN component_url varchar(2000)');
    await queryRunner.query('ALTER TABLE attestations ADD COLUMN last_error_kind varchar(40)');
    await queryRunner.query('ALTER TABLE sync_runs ADD COLUMN unread_count integer NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE sync_runs ADD COLUMN unread_ids varchar(2000)');
    await queryRunner.query('ALTER TABLE sync_runs ADD COLUMN unread_reason varchar(1000)');

    await queryRunner.query(
      "UPDATE tenants SET direct_seen_at = accepted_at WHERE status = 'direct' AND directly_signed = TRUE",
    );
    await queryRunner.query(
      "UPDATE tenants SET partner_accepted = TRUE, partner_agreed_at = accepted_at WHERE status = 'attested'",
    );
    // Each tenant's latest finalized attestation of this app: its signatory is how a later sync knows that
    // Microsoft's agreement is the app's own, not one made outside it.
    const rows = (await queryRunner.query(
      `SELECT a.tenant_id, a.signatory_first_name, a.signatory_last_name, a.signatory_email, a.signatory_phone, a.template_id
       FROM attestations a WHERE a.state = 'finalized' ORDER BY a.tenant_id, a.finalized_at, a.id`,
    )) as FinalizedRow[];
    const latest = new Map(rows.map((row) => [Number(row.tenant_id), row]));
    const placeholder = (n: number) => (isPostgres(queryRunner) ? `$${n}` : '?');
    for (const [tenantId, row] of latest) {
      const contact = {
        firstName: row.signatory_first_name,
        lastName: row.signatory_last_name,
        email: row.signatory_email,
        ...(row.signatory_phone ? { phoneNumber: row.signatory_phone } : {}),
      };
      await queryRunner.query(
        `UPDATE tenants SET own_agreement_contact = ${placeholder(1)}, agreement_signatory = ${placeholder(2)},
         agreement_template_id = ${placeholder(3)} WHERE id = ${placeholder(4)}`,
        [
          JSON.stringify(contact),
          `${contact.firstName} ${contact.lastName} <${contact.email}>`.slice(0, 400),
          row.template_id,
          tenantId,
        ],
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sync_runs DROP COLUMN unread_reason');
    await queryRunner.query('ALTER TABLE sync_runs DROP COLUMN unread_ids');
    await queryRunner.query('ALTER TABLE sync_runs DROP COLUMN unread_count');
    await queryRunner.query('ALTER TABLE attestations DROP COLUMN last_error_kind');
    await queryRunner.query('ALTER TABLE attestations DROP COLUMN component_url');
    await queryRunner.query('ALTER TABLE partner_center_settings DROP COLUMN require_accepted_from');
    await queryRunner.query('DROP INDEX ix_tenants_broker_reacceptance');
    for (const [name] of [...TENANT_COLUMNS].reverse())
      await queryRunner.query(`ALTER TABLE tenants DROP COLUMN ${name}`);
  }
}
