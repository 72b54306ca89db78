import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './audit-hash';

export interface ChainHead {
  chainId: number;
  seq: number;
  hash: string;
}

// The audit chains' heads at a moment, signed with APP_SECRET, written out of the database (the log, each backup):
// whoever later cuts events off a chain's end cannot also move a head that was written elsewhere.
export interface AuditAnchor {
  kind: 'mca-manager.audit-heads';
  at: string; // ISO 8601
  heads: ChainHead[];
  signature: string; // HMAC-SHA256, hex, of the canonical JSON of { at, heads, kind }
}

const KIND = 'mca-manager.audit-heads';

// A key of its own, derived from APP_SECRET: a signature made for this purpose signs nothing else.
const signingKey = (secret: string) => createHmac('sha256', secret).update('audit-heads').digest();

const signatureOf = (secret: string, anchor: Omit<AuditAnchor, 'signature'>): string =>
  createHmac('sha256', signingKey(secret))
    .update(canonicalJson({ kind: anchor.kind, at: anchor.at, heads: anchor.heads }))
    .digest('hex');

export function signAnchor(secret: string, heads: ChainHead[], at: Date): AuditAnchor {
  const unsigned = { kind: KIND, at: at.toISOString(), heads } as const;
  return { ...unsigned, signature: signatureOf(secret, unsigned) };
}

export function signatureIsValid(secret: string, anchor: AuditAnchor): boolean {
  const expected = Buffer.from(signatureOf(secret, anchor), 'hex');
  const given = Buffer.from(anchor.signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const isHead = (value: unknown): value is ChainHead => {
  const head = value as ChainHead | null;
  return (
    typeof head === 'object' &&
    head !== null &&
    Number.isSafeInteger(head.chainId) &&
    head.chainId >= 0 &&
    Number.isSafeInteger(head.seq) &&
    head.seq >= 0 &&
    typeof head.hash === 'string' &&
    /^[0-9a-f]{64}$/.test(head.hash)
  );
};

// An anchor as it was stored or copied (a heads file, a backup's header, a log line's `auditAnchor`), or null when
// the value is not one.
export function readAnchor(value: unknown): AuditAnchor | null {
  const candidate = (value as { auditAnchor?: unknown } | null)?.auditAnchor ?? value;
  const anchor = candidate as AuditAnchor | null;
  if (
    typeof anchor !== 'object' ||
    anchor === null ||
    anchor.kind !== KIND ||
    typeof anchor.at !== 'string' ||
    Number.isNaN(Date.parse(anchor.at)) ||
    !Array.isArray(anchor.heads) ||
    !anchor.heads.every(isHead) ||
    typeof anchor.signature !== 'string' ||
    !/^[0-9a-f]{64}$/.test(anchor.signature)
  )
    return null;
  return { kind: KIND, at: anchor.at, heads: anchor.heads, signature: anchor.signature };
}

// The text of a heads file: the anchor's JSON, or log lines of which the last that holds an anchor counts.
export function anchorFromText(text: string): AuditAnchor | null {
  const parse = (json: string): unknown => {
    try {
      return JSON.parse(json);
    } catch {
      return null;
    }
  };
  const whole = readAnchor(parse(text));
  if (whole) return whole;
  const lines = text.split('\n').filter((line) => line.includes('mca-manager.audit-heads'));
  for (let i = lines.length - 1; i >= 0; i--) {
    const anchor = readAnchor(parse(lines[i]));
    if (anchor) return anchor;
  }
  return null;
}
