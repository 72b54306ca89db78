import type { SqlService } from '../database/sql.service';
import type { LatestAttestation } from './report-columns';

interface AttestationRow {
  tenant_id: number;
  signatory_first_name: string;
  signatory_last_name: string;
  signatory_email: string;
  created_by_label: string;
  created_at: unknown;
  finalized_at: unknown;
  state: string;
}

// The report's attestation columns come from here alone: the latest attestation of each tenant of a batch.
export async function latestAttestations(
  sql: SqlService,
  brokerId: number,
  tenantIds: readonly number[],
): Promise<Map<number, LatestAttestation>> {
  const latest = new Map<number, LatestAttestation>();
  if (tenantIds.length === 0) return latest;
  const p = sql.dialect.placeholder;
  const rows = await sql.run<AttestationRow>(
    `SELECT tenant_id, signatory_first_name, signatory_last_name, signatory_email, created_by_label, created_at,
       finalized_at, state
     FROM attestations WHERE broker_id = ${p(1)} AND tenant_id IN (${tenantIds.map((_, i) => p(i + 2)).join(', ')})
     ORDER BY tenant_id, created_at, id`,
    [brokerId, ...tenantIds],
  );
  // Oldest first: the newest of each tenant is the one left in the map.
  for (const row of rows)
    latest.set(Number(row.tenant_id), {
      signatoryName: `${row.signatory_first_name} ${row.signatory_last_name}`.trim(),
      signatoryEmail: row.signatory_email,
      createdBy: row.created_by_label,
      createdAt: sql.dialect.decodeTimestamp(row.created_at),
      finalizedAt: sql.dialect.decodeTimestamp(row.finalized_at),
      state: row.state,
    });
  return latest;
}
