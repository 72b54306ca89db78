import type { SqlService } from '../database/sql.service';
import type { LatestAttestation } from './report-columns';

// The report's attestation columns come from here alone: the latest attestation of each tenant of a batch.
// The attestations table arrives with the attestations feature; until it is merged, no tenant has one.
export function latestAttestations(
  _sql: SqlService,
  _brokerId: number,
  _tenantIds: readonly number[],
): Promise<Map<number, LatestAttestation>> {
  return Promise.resolve(new Map());
}
