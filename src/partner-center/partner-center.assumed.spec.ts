import { componentUrl, parseCreatedAttestation, parseEnhancedAttestation } from './partner-center.assumed';
import { invalidResponseOf } from '../../test/support/invalid-response';

const json = (value: unknown) => JSON.stringify(value);

const invalid = invalidResponseOf;

// No example answer of the enhanced attestation could be read on Microsoft's page: these are the shapes we assume,
// read leniently so that Microsoft's other likely names work too.
describe('parseEnhancedAttestation', () => {
  const attestation = {
    id: 'a-1',
    status: 'Accepted',
    expirationDateTime: '2026-12-02T12:00:00Z',
    acceptedDateTime: '2026-11-26T08:00:00Z',
  };

  it('should read the status in any case, and a link where Microsoft sends one', () => {
    expect(parseEnhancedAttestation(json(attestation))).toEqual({
      id: 'a-1',
      status: 'accepted',
      componentUrl: null,
      expiresAt: new Date('2026-12-02T12:00:00Z'),
      acceptedAt: new Date('2026-11-26T08:00:00Z'),
    });
    expect(
      parseEnhancedAttestation(json({ ...attestation, acceptanceUrl: 'https://mca.example/accept?a=1' })).componentUrl,
    ).toBe('https://mca.example/accept?a=1');
  });

  it('should refuse an unknown or missing status and a link that is not a web link', () => {
    expect(invalid(() => parseEnhancedAttestation(json({ ...attestation, status: 'Signed' })))).toContain('"status"');
    expect(invalid(() => parseEnhancedAttestation(json({ ...attestation, status: undefined })))).toContain('"status"');
    expect(
      invalid(() => parseEnhancedAttestation(json({ ...attestation, acceptanceLink: 'javascript:alert(1)' }))),
    ).toContain('not a web link');
  });
});

describe('parseCreatedAttestation', () => {
  it('should read a full answer', () => {
    expect(parseCreatedAttestation(json({ id: 'a-2', status: 'Pending' }), null)).toEqual({
      id: 'a-2',
      status: 'pending',
      componentUrl: null,
      expiresAt: null,
      acceptedAt: null,
    });
  });

  it('should keep the id Microsoft returned when the rest of the answer cannot be read', () => {
    expect(parseCreatedAttestation(json({ attestationId: 'a-3', status: 'Odd', url: 'ftp://x' }), null)).toMatchObject({
      id: 'a-3',
      status: 'pending',
      componentUrl: null,
      unreadable: expect.stringContaining('"status"'),
    });
    expect(parseCreatedAttestation('not json', 'https://api.example/v1/attestations/enhanced/a-4')).toMatchObject({
      id: 'a-4',
      unreadable: expect.stringContaining('not valid JSON'),
    });
  });

  it('should refuse an answer that names no attestation', () => {
    expect(invalid(() => parseCreatedAttestation(json({ status: 'Pending' }), null))).toContain('no attestation id');
  });
});

describe('componentUrl', () => {
  it("should put the attestation's id and language into the template, encoded", () => {
    expect(
      componentUrl('https://mca.example/accept?attestationId={attestationId}&language={language}', 'a b/1', 'fr-FR'),
    ).toBe('https://mca.example/accept?attestationId=a%20b%2F1&language=fr-FR');
  });
});
