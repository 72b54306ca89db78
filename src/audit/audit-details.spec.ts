import { detailFields, keyLabel } from './audit-details';

describe('detailFields', () => {
  it('should label any key in words, with better words for the known ones', () => {
    expect(keyLabel('sessionsEnded')).toBe('Sessions ended');
    expect(keyLabel('day_of_month')).toBe('Day of month');
    expect(keyLabel('ip')).toBe('Network address');
    expect(keyLabel('pcAttestationId')).toBe('Partner Center attestation id');
  });

  it('should flatten nested objects and lists into labelled lines of text', () => {
    expect(
      detailFields({
        signatory: { firstName: 'Ada', phone: null },
        recipients: ['a@x.test', 'b@x.test'],
        items: [{ name: 'one' }, { name: 'two' }],
        empty: [],
        done: true,
      }),
    ).toEqual([
      { label: 'Signatory › First name', text: 'Ada' },
      { label: 'Signatory › Phone', text: '–' },
      { label: 'Recipients', text: 'a@x.test, b@x.test' },
      { label: 'Items 1 › Name', text: 'one' },
      { label: 'Items 2 › Name', text: 'two' },
      { label: 'Empty', text: 'none' },
      { label: 'Done', text: 'Yes' },
    ]);
  });

  it('should read an ISO time as a time, and show what lies deeper than three levels as its JSON', () => {
    const [when] = detailFields({ dueAt: '2026-11-30T22:00:00.000Z' });
    expect(when.time?.toISOString()).toBe('2026-11-30T22:00:00.000Z');
    expect(detailFields({ a: { b: { c: { d: 1 } } } })).toEqual([{ label: 'A › B › C', text: '{"d":1}' }]);
    expect(detailFields({ n: 12, text: '2026-11-30' })).toEqual([
      { label: 'N', text: '12' },
      { label: 'Text', text: '2026-11-30' },
    ]);
  });
});
