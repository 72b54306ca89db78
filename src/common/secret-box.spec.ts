import { SecretBox } from './secret-box';

describe(SecretBox.name, () => {
  const secret = 'a-test-app-secret-that-is-long-enough-0123456789';
  const box = new SecretBox(secret);

  it('should open what it sealed when the context is the same', () => {
    const sealed = box.seal('s3cret value ✓', 'partner-center:1:appSecret');
    expect(box.open(sealed, 'partner-center:1:appSecret')).toBe('s3cret value ✓');
  });

  it('should never contain the plaintext and differ on every seal', () => {
    const first = box.seal('plain-secret', 'ctx');
    const second = box.seal('plain-secret', 'ctx');
    expect(first).not.toContain('plain-secret');
    expect(first).not.toBe(second);
    expect(first.startsWith('v1.')).toBe(true);
  });

  it('should refuse to open when the context differs', () => {
    const sealed = box.seal('value', 'partner-center:1:appSecret');
    expect(() => box.open(sealed, 'partner-center:2:appSecret')).toThrow();
  });

  it('should refuse to open under another app secret', () => {
    const sealed = box.seal('value', 'ctx');
    expect(() => new SecretBox(`${secret}-other`).open(sealed, 'ctx')).toThrow();
  });

  it('should refuse a tampered or malformed value', () => {
    const [version, iv, tag, ciphertext] = box.seal('value', 'ctx').split('.');
    const flipped = Buffer.from(ciphertext, 'base64url');
    flipped[0] ^= 1;
    expect(() => box.open([version, iv, tag, flipped.toString('base64url')].join('.'), 'ctx')).toThrow();
    expect(() => box.open('value', 'ctx')).toThrow('Not a sealed secret');
    expect(() => box.open(`v1.${iv}.${tag}`, 'ctx')).toThrow('Not a sealed secret');
  });

  it('should refuse to start without a real app secret', () => {
    expect(() => new SecretBox('')).toThrow();
  });
});
