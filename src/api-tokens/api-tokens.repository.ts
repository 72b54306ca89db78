import { Injectable } from '@nestjs/common';
import { SqlService, writeReturning, type Tx } from '../database/sql.service';
import { ApiToken } from './api-token.entity';

// The api_tokens table, and api_token_request_counts (the rate limit's counters).
@Injectable()
export class ApiTokensRepository {
  constructor(private readonly sql: SqlService) {}

  insert(tx: Tx, token: Omit<ApiToken, 'id' | 'lastUsedAt' | 'revokedAt'>): Promise<ApiToken> {
    return tx.manager.save(ApiToken, tx.manager.create(ApiToken, { ...token, lastUsedAt: null, revokedAt: null }));
  }

  // Read on every API request: one unique-index lookup.
  findByHash(tokenHash: string): Promise<ApiToken | null> {
    return this.sql.manager.findOneBy(ApiToken, { tokenHash });
  }

  findInBroker(brokerId: number, id: number, reader: Pick<Tx, 'manager'> = this.sql): Promise<ApiToken | null> {
    return reader.manager.findOneBy(ApiToken, { brokerId, id });
  }

  listForBroker(brokerId: number): Promise<ApiToken[]> {
    return this.sql.manager.find(ApiToken, { where: { brokerId }, order: { id: 'DESC' } });
  }

  async markRevoked(tx: Tx, id: number, at: Date): Promise<void> {
    await tx.manager.update(ApiToken, { id }, { revokedAt: at });
  }

  async markUsed(id: number, at: Date): Promise<void> {
    await this.sql.manager.update(ApiToken, { id }, { lastUsedAt: at });
  }

  // Counts one request of the token in the minute starting at `windowStart` and returns the minute's count: one
  // statement, whoever counts first creates the row.
  async countRequest(tokenId: number, windowStart: Date): Promise<number> {
    const start = this.sql.dialect.encodeTimestamp(windowStart);
    const [row] = await this.sql.transaction(async (tx) => {
      // A count lost in a crash costs nothing; waiting for the WAL's flush on every API request would.
      if (tx.dialect.name === 'postgres') await tx.query`SET LOCAL synchronous_commit TO OFF`;
      return tx.query<{ requests: number | string }>`
        INSERT INTO api_token_request_counts (token_id, window_start, requests) VALUES (${tokenId}, ${start}, 1)
        ON CONFLICT (token_id, window_start) DO UPDATE SET requests = api_token_request_counts.requests + 1
        RETURNING requests`;
    });
    return Number(row.requests);
  }

  // Through ix_api_token_request_counts_window; returns how many minutes it deleted.
  async deleteRequestCountsBefore(cutoff: Date): Promise<number> {
    const deleted = await this.sql.transaction((tx) =>
      writeReturning<{ token_id: number }>(
        tx,
        `DELETE FROM api_token_request_counts WHERE window_start < ${tx.dialect.placeholder(1)} RETURNING token_id`,
        [tx.dialect.encodeTimestamp(cutoff)],
      ),
    );
    return deleted.length;
  }
}
