import { Injectable } from '@nestjs/common';
import { SqlService, type Tx } from '../database/sql.service';

// A claim older than this belongs to a request that died before it finished: another may take the tenant.
const STALE_MS = 2 * 60_000;

const isUniqueViolation = (error: unknown): boolean => {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '23505' || /UNIQUE constraint failed/.test(String(e?.message ?? ''));
};

// One attestation in Partner Center per attestation here: before the app asks Microsoft to create one, it claims the
// tenant in the database (table attestation_claims, one row per tenant), so that a second submit meanwhile, from
// another tab or a double click, is answered here and never reaches Microsoft.
@Injectable()
export class AttestationClaims {
  constructor(private readonly sql: SqlService) {}

  // Null when this request now holds the tenant; otherwise the request token of the one that does.
  async claim(tenantId: number, requestToken: string, now = new Date()): Promise<string | null> {
    try {
      return await this.sql.transaction(async (tx) => {
        const stale = tx.dialect.encodeTimestamp(new Date(now.getTime() - STALE_MS));
        await tx.query`DELETE FROM attestation_claims WHERE tenant_id = ${tenantId} AND claimed_at < ${stale}`;
        const [held] = await tx.query<{ request_token: string }>`
          SELECT request_token FROM attestation_claims WHERE tenant_id = ${tenantId}`;
        if (held) return held.request_token;
        await tx.query`INSERT INTO attestation_claims (tenant_id, request_token, claimed_at)
          VALUES (${tenantId}, ${requestToken}, ${tx.dialect.encodeTimestamp(now)})`;
        return null;
      });
    } catch (error) {
      // Two requests at once on PostgreSQL: the one whose insert lost reads the winner.
      if (!isUniqueViolation(error)) throw error;
      const [held] = await this.sql.query<{ request_token: string }>`
        SELECT request_token FROM attestation_claims WHERE tenant_id = ${tenantId}`;
      return held?.request_token ?? requestToken;
    }
  }

  // In the transaction that records the attestation, or on its own when Partner Center said no.
  async release(tenantId: number, requestToken: string, tx?: Tx): Promise<void> {
    const remove = (t: Tx) =>
      t.query`DELETE FROM attestation_claims WHERE tenant_id = ${tenantId} AND request_token = ${requestToken}`;
    if (tx) await remove(tx);
    else await this.sql.transaction(remove);
  }
}
