import { ValidationFailedError } from './domain-errors';
import { formId, MAX_ID, parseId } from './ids';

describe('parseId', () => {
  it.each(['1', '42', String(MAX_ID)])('should read %s', (text) => expect(parseId(text)).toBe(Number(text)));

  it.each(['', '0', '-1', '007', '1e3', '0x10', '1.5', ' 1', '1 ', '+1', String(MAX_ID + 1), '9'.repeat(1000)])(
    'should refuse %p',
    (text) => expect(parseId(text)).toBeNull(),
  );

  it('should refuse what is not text: a number, an array, nothing', () => {
    expect(parseId(5)).toBeNull();
    expect(parseId(['5'])).toBeNull();
    expect(parseId(undefined)).toBeNull();
  });
});

describe('formId', () => {
  it('should make a bad form id a message on its field', () => {
    expect(formId({ attestationId: '3' }, 'attestationId')).toBe(3);
    expect(() => formId({ attestationId: '0x10' }, 'attestationId')).toThrow(ValidationFailedError);
  });
});
