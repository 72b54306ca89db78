import { MigrationInterface, QueryRunner } from 'typeorm';
import { isPostgres } from './schema-helpers';

// A tenant claimed by the one request that is creating its attestation in Partner Center (at most one per tenant,
// the key): a second create meanwhile is answered here and never reaches Microsoft.
export class AttestationClaims1764230000000 implements MigrationInterface {
  name = 'AttestationClaims1764230000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = isPostgres(queryRunner) ? 'timestamptz' : 'datetime';
    await queryRunner.query(
      `CREATE TABLE attestation_claims (tenant_id integer PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
        request_token varchar(64) NOT NULL, claimed_at ${timestamp} NOT NULL)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE attestation_claims');
  }
}
