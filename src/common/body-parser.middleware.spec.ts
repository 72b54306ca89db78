import { PayloadTooLargeException } from '@nestjs/common';
import { parseFormBody } from './body-parser.middleware';

describe(parseFormBody.name, () => {
  it('should decode fields and keep repeated keys as a list', () => {
    expect(parseFormBody('name=Ada+Lovelace&tag=a&tag=b&empty=')).toEqual({
      name: 'Ada Lovelace',
      tag: ['a', 'b'],
      empty: '',
    });
  });

  it('should turn percent-encoded bytes that are not UTF-8 into U+FFFD when decoding', () => {
    expect(parseFormBody('name=O%FF%FEt')).toEqual({ name: 'O\ufffd\ufffdt' });
  });

  it('should keep a literal percent sign typed by the user', () => {
    expect(parseFormBody('name=100%25')).toEqual({ name: '100%' });
  });

  it('should store a __proto__ key as data, never as the prototype', () => {
    const body = parseFormBody('__proto__=x&a=1');
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(body.a).toBe('1');
  });

  it('should refuse a form with too many fields when decoding', () => {
    const text = Array.from({ length: 201 }, (_, i) => `f${i}=1`).join('&');
    expect(() => parseFormBody(text)).toThrow(PayloadTooLargeException);
  });
});
