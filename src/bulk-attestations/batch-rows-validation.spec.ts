import { parseAttestationInput } from '../attestations/attestation-input';
import {
  alreadyAccepted,
  duplicateOf,
  OPEN_ATTESTATION,
  UNKNOWN_TENANT,
  validateBatchRows,
  type BatchTenant,
} from './batch-rows-validation';
import { cellsOf, mapHeader, type BatchCells } from './batch-template';

const tenant = (id: number, changes: Partial<BatchTenant> = {}): BatchTenant => ({
  id,
  microsoftTenantId: `0000000${id}-aaaa-4000-8000-000000000000`,
  name: `Tenant ${id}`,
  status: 'none',
  removed: false,
  reacceptanceNeeded: false,
  ...changes,
});

const cells = (changes: Partial<BatchCells>): BatchCells => ({
  microsoftTenantId: '',
  companyName: '',
  signatoryFirstName: 'Ada',
  signatoryLastName: 'Lovelace',
  signatoryEmail: 'ada@example.com',
  signatoryPhone: '',
  country: 'US',
  language: 'en-US',
  autoFinalize: 'yes',
  ...changes,
});

describe('validateBatchRows', () => {
  const known = [
    tenant(1),
    tenant(2, { status: 'attested' }),
    tenant(3, { status: 'pending' }),
    tenant(4, { status: 'direct', reacceptanceNeeded: true }),
  ];
  const byId = new Map(known.map((t) => [t.microsoftTenantId.toLowerCase(), t]));

  it('should use the single form rules and messages, and the tenant name when the company is blank', () => {
    const [good, bad] = validateBatchRows(
      [
        {
          rowNumber: 2,
          cells: cells({
            microsoftTenantId: known[0].microsoftTenantId.toUpperCase(),
            country: 'germany',
            language: 'EN-gb',
            autoFinalize: '',
          }),
        },
        {
          rowNumber: 3,
          cells: cells({
            microsoftTenantId: known[3].microsoftTenantId,
            signatoryEmail: 'not-an-email',
            country: 'Atlantis',
            signatoryFirstName: '=1+1',
          }),
        },
      ],
      byId,
    );
    expect(good).toMatchObject({
      status: 'pending',
      tenantId: 1,
      companyName: 'Tenant 1',
      country: 'DE',
      language: 'en-GB',
      autoFinalize: false,
      errors: null,
    });
    expect(good.microsoftTenantId).toBe(known[0].microsoftTenantId);
    const form = parseAttestationInput({
      signatoryEmail: 'not-an-email',
      country: 'Atlantis',
      signatoryFirstName: '=1+1',
    }).errors;
    expect(JSON.parse(bad.errors ?? '{}')).toEqual({
      signatoryEmail: form.signatoryEmail,
      country: form.country,
      signatoryFirstName: form.signatoryFirstName,
    });
    expect(bad.status).toBe('invalid');
  });

  it('should refuse unknown and repeated tenants, and skip accepted and open ones, saying which', () => {
    const rows = validateBatchRows(
      [
        { rowNumber: 2, cells: cells({ microsoftTenantId: 'ffffffff-0000-4000-8000-000000000000' }) },
        { rowNumber: 3, cells: cells({ microsoftTenantId: known[1].microsoftTenantId }) },
        { rowNumber: 4, cells: cells({ microsoftTenantId: known[2].microsoftTenantId }) },
        { rowNumber: 5, cells: cells({ microsoftTenantId: known[3].microsoftTenantId }) },
        { rowNumber: 7, cells: cells({ microsoftTenantId: known[3].microsoftTenantId }) },
        { rowNumber: 8, cells: cells({ microsoftTenantId: '', autoFinalize: 'maybe' }) },
      ],
      byId,
    );
    expect(rows.map((r) => r.status)).toEqual(['invalid', 'skipped', 'skipped', 'pending', 'invalid', 'invalid']);
    expect(JSON.parse(rows[0].errors ?? '')).toEqual({ microsoftTenantId: UNKNOWN_TENANT });
    expect(rows[1].skipReason).toBe(alreadyAccepted('attested'));
    expect(rows[2].skipReason).toBe(OPEN_ATTESTATION);
    expect(JSON.parse(rows[4].errors ?? '')).toEqual({ microsoftTenantId: duplicateOf(5) });
    expect(JSON.parse(rows[5].errors ?? '')).toEqual({
      microsoftTenantId: 'Enter the Microsoft tenant ID',
      autoFinalize: 'Choose Yes or No',
    });
  });

  it('should cut what it stores to the columns and drop NUL characters', () => {
    const [row] = validateBatchRows(
      [{ rowNumber: 2, cells: cells({ microsoftTenantId: `x\u0000${'y'.repeat(300)}` }) }],
      byId,
    );
    expect(row.microsoftTenantId).toBe('x' + 'y'.repeat(99));
  });
});

describe('mapHeader', () => {
  it('should find the columns in any order and case, by the template headers or common names', () => {
    const mapped = mapHeader(['EMAIL', 'Ignored', 'tenant id', 'Signatory First Name', 'Auto-Finalize (yes or no)']);
    expect(mapped).toEqual({
      columns: { signatoryEmail: 0, microsoftTenantId: 2, signatoryFirstName: 3, autoFinalize: 4 },
    });
    if (!('columns' in mapped)) throw new Error('unmapped');
    expect(cellsOf([' a@b.co ', 'x', 'T1'], mapped.columns)).toMatchObject({
      signatoryEmail: 'a@b.co',
      microsoftTenantId: 'T1',
      signatoryFirstName: '',
    });
    expect(mapHeader(['Name', 'Email'])).toEqual({ missing: 'Microsoft tenant ID' });
  });
});
