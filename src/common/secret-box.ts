import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

// Encrypts secrets kept in the database (AES-256-GCM) under a key derived from the app secret, so that a copy of
// the database alone reveals nothing. `context` (e.g. "partner-center:7:appSecret") is authenticated with the
// ciphertext: a value moved to another row or field fails to open instead of being used there.
export class SecretBox {
  private readonly key: Buffer;

  constructor(appSecret: string) {
    if (appSecret.length < 16) throw new Error('SecretBox needs the app secret');
    this.key = Buffer.from(hkdfSync('sha256', appSecret, 'mca-manager', 'secret-box:aes-256-gcm:v1', 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [
      VERSION,
      iv.toString('base64url'),
      cipher.getAuthTag().toString('base64url'),
      ciphertext.toString('base64url'),
    ].join('.');
  }

  // Throws when the value was not sealed by this key for this context (tampered, moved, or another app secret).
  open(sealed: string, context: string): string {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length > 0) {
      throw new Error('Not a sealed secret');
    }
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  }
}
