import { createHash } from 'node:crypto';
import type { AttestationForm } from '../attestations/dto/attestation-form.dto';
import type { AttestationBatchRow } from './attestation-batch-row.entity';

// The row's request token, derived from the row alone: every attempt to send it, from any instance and after any
// restart, is the same request. The attestation service answers a repeat with the attestation the first one made,
// and Partner Center (the token is the MS-RequestId) with what it made the first time.
export function rowRequestToken(row: Pick<AttestationBatchRow, 'id'>): string {
  const hex = createHash('sha256').update(`attestation-batch-row:${row.id}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

// The single create form's fields, as the row gives them; every link is emailed to its signatory.
export function rowForm(row: AttestationBatchRow): AttestationForm {
  return {
    signatoryFirstName: row.signatoryFirstName,
    signatoryLastName: row.signatoryLastName,
    signatoryEmail: row.signatoryEmail,
    signatoryPhone: row.signatoryPhone ?? '',
    companyName: row.companyName,
    country: row.country,
    language: row.language,
    autoFinalize: row.autoFinalize ? 'yes' : 'no',
    emailLink: 'yes',
    requestToken: rowRequestToken(row),
  };
}
