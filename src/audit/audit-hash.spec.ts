import { canonicalJson, GENESIS_HASH, hashEvent, normaliseData, type AuditContent } from './audit-hash';

const content = (overrides: Partial<AuditContent> = {}): AuditContent => ({
  broker: 1,
  actor: { type: 'user', id: 7, label: 'ada@contoso.test' },
  action: 'user.created',
  subject: { type: 'user', id: '8' },
  data: { role: 'operator', email: 'bob@contoso.test' },
  time: '2026-11-30T22:00:00.000Z',
  ...overrides,
});

describe('canonicalJson', () => {
  it('should write the same text whatever order the keys were built in, at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}',
    );
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
  });

  it('should drop undefined properties and write undefined array items as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: [undefined] })).toBe('{"b":[null]}');
  });
});

describe('normaliseData', () => {
  it('should give data as it reads back from its stored text', () => {
    const when = new Date('2026-11-30T22:00:00.000Z');
    expect(normaliseData({ when, gone: undefined, n: 1 })).toEqual({ n: 1, when: '2026-11-30T22:00:00.000Z' });
    expect(normaliseData(undefined)).toEqual({});
  });
});

describe('hashEvent', () => {
  it('should be a sha256 over the previous hash and the canonical content', () => {
    const hash = hashEvent(GENESIS_HASH, content());
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(GENESIS_HASH, content({ data: { email: 'bob@contoso.test', role: 'operator' } }))).toBe(hash);
  });

  it('should change when any part of the content or the previous hash changes', () => {
    const hash = hashEvent(GENESIS_HASH, content());
    const changed = [
      hashEvent('1'.repeat(64), content()),
      hashEvent(GENESIS_HASH, content({ broker: 2 })),
      hashEvent(GENESIS_HASH, content({ broker: null })),
      hashEvent(GENESIS_HASH, content({ actor: { type: 'user', id: 7, label: 'eve@contoso.test' } })),
      hashEvent(GENESIS_HASH, content({ action: 'user.deactivated' })),
      hashEvent(GENESIS_HASH, content({ subject: { type: 'user', id: '9' } })),
      hashEvent(GENESIS_HASH, content({ subject: null })),
      hashEvent(GENESIS_HASH, content({ data: { role: 'admin', email: 'bob@contoso.test' } })),
      hashEvent(GENESIS_HASH, content({ time: '2026-11-30T22:00:00.001Z' })),
    ];
    for (const other of changed) expect(other).not.toBe(hash);
    expect(new Set(changed).size).toBe(changed.length);
  });
});
