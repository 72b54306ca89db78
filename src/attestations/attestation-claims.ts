import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { SqlService, type Tx } from '../database/sql.service';
import { AttestationsRepository } from './attestations.repository';

// A claim older than this belongs to a request that died before it finished: another may take the tenant.
const STALE_MS = 2 * 60_000;

// One attestation in Partner Center per attestation here: before the app asks Microsoft to create one, it claims the
// tenant in the database (one claim per tenant), so that a second submit meanwhile, from another tab or a double
// click, is answered here and never reaches Microsoft.
@Injectable()
export class AttestationClaims {
  constructor(
    private readonly sql: SqlService,
    private readonly repository: AttestationsRepository,
    private readonly clock: Clock,
  ) {}

  // Null when this request now holds the tenant; otherwise the request token of the one that does.
  async claim(tenantId: number, requestToken: string): Promise<string | null> {
    const now = this.clock.now();
    try {
      return await this.sql.transaction(async (tx) => {
        await this.repository.dropStaleClaim(tx, tenantId, new Date(now.getTime() - STALE_MS));
        const held = await this.repository.claimHolder(tenantId, tx);
        if (held !== null) return held;
        await this.repository.insertClaim(tx, tenantId, requestToken, now);
        return null;
      });
    } catch (error) {
      // Two requests at once on PostgreSQL: the one whose insert lost reads the winner.
      if (!this.sql.dialect.isUniqueViolation(error)) throw error;
      return (await this.repository.claimHolder(tenantId)) ?? requestToken;
    }
  }

  // In the transaction that records the attestation, or on its own when Partner Center said no.
  async release(tenantId: number, requestToken: string, tx?: Tx): Promise<void> {
    const remove = (t: Tx) => this.repository.deleteClaim(t, tenantId, requestToken);
    if (tx) await remove(tx);
    else await this.sql.transaction(remove);
  }
}
