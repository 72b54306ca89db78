import { Injectable } from '@nestjs/common';
import { SqlService, writeReturning, type Tx } from '../database/sql.service';

export type IdempotencyState = 'running' | 'done';

export interface IdempotencyRecord {
  id: number;
  requestHash: string;
  state: IdempotencyState;
  responseStatus: number | null;
  responseType: string | null;
  responseBody: string | null;
  createdAt: Date;
  startedAt: Date;
}

interface IdempotencyRow {
  id: number | string;
  request_hash: string;
  state: string;
  response_status: number | string | null;
  response_type: string | null;
  response_body: string | null;
  created_at: unknown;
  started_at: unknown;
}

export interface StoredAnswer {
  status: number;
  type: string;
  body: string;
}

// All SQL of `api_idempotency_keys`. Each statement is its own short transaction: a key is claimed before the
// request's change and answered after it, never inside it (see IdempotencyInterceptor).
@Injectable()
export class IdempotencyKeysRepository {
  constructor(private readonly sql: SqlService) {}

  private decode(row: IdempotencyRow): IdempotencyRecord {
    const date = (value: unknown) => this.sql.dialect.decodeTimestamp(value) as Date;
    return {
      id: Number(row.id),
      requestHash: row.request_hash,
      state: row.state as IdempotencyState,
      responseStatus: row.response_status === null ? null : Number(row.response_status),
      responseType: row.response_type,
      responseBody: row.response_body,
      createdAt: date(row.created_at),
      startedAt: date(row.started_at),
    };
  }

  // The key's record, found by the unique index.
  async find(tokenId: number, key: string): Promise<IdempotencyRecord | null> {
    const [row] = await this.sql.query<IdempotencyRow>`
      SELECT * FROM api_idempotency_keys WHERE token_id = ${tokenId} AND idempotency_key = ${key}`;
    return row ? this.decode(row) : null;
  }

  // Claims a key that is new: false when the token already has it (the unique index decides between parallel
  // requests, on both databases).
  async claim(tokenId: number, key: string, requestHash: string, now: Date): Promise<boolean> {
    try {
      await this.sql.transaction(async (tx) => {
        const at = tx.dialect.encodeTimestamp(now);
        await tx.query`
          INSERT INTO api_idempotency_keys (token_id, idempotency_key, request_hash, state, created_at, started_at)
          VALUES (${tokenId}, ${key}, ${requestHash}, ${'running'}, ${at}, ${at})`;
      });
      return true;
    } catch (error) {
      if (this.sql.dialect.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  // Takes over a record whose request is presumed dead (or whose day is over), as a new request: only one of several
  // callers that saw the same record wins, because the update names the start it saw.
  async takeOver(record: IdempotencyRecord, requestHash: string, now: Date, fresh: boolean): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const p = tx.dialect.placeholder;
      const at = tx.dialect.encodeTimestamp(now);
      const rows = await writeReturning<{ id: number }>(
        tx,
        `UPDATE api_idempotency_keys SET state = 'running', request_hash = ${p(1)}, started_at = ${p(2)},
           created_at = ${p(3)}, response_status = NULL, response_type = NULL, response_body = NULL
         WHERE id = ${p(4)} AND started_at = ${p(5)} RETURNING id`,
        [
          requestHash,
          at,
          fresh ? at : tx.dialect.encodeTimestamp(record.createdAt),
          record.id,
          tx.dialect.encodeTimestamp(record.startedAt),
        ],
      );
      return rows.length === 1;
    });
  }

  async answer(tokenId: number, key: string, answer: StoredAnswer): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query`
        UPDATE api_idempotency_keys SET state = ${'done'}, response_status = ${answer.status},
          response_type = ${answer.type}, response_body = ${answer.body}
        WHERE token_id = ${tokenId} AND idempotency_key = ${key}`;
    });
  }

  // A request that ended without an answer worth replaying (a 5xx, a 429): the key is free for a retry.
  async release(tokenId: number, key: string): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query`
        DELETE FROM api_idempotency_keys
        WHERE token_id = ${tokenId} AND idempotency_key = ${key} AND state = ${'running'}`;
    });
  }

  // Keys created before the cutoff, oldest first, read through ix_api_idempotency_keys_created.
  async createdBefore(cutoff: Date, limit: number): Promise<number[]> {
    const rows = await this.sql.query<{ id: number | string }>`
      SELECT id FROM api_idempotency_keys WHERE created_at < ${this.sql.dialect.encodeTimestamp(cutoff)}
      ORDER BY created_at LIMIT ${limit}`;
    return rows.map((row) => Number(row.id));
  }

  async delete(tx: Tx, ids: readonly number[]): Promise<void> {
    await tx.run(
      `DELETE FROM api_idempotency_keys WHERE id IN (${ids.map((_, i) => tx.dialect.placeholder(i + 1)).join(', ')})`,
      ids,
    );
  }
}
