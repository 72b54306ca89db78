import { Injectable } from '@nestjs/common';
import { SqlService, type SqlReader, type Tx } from '../database/sql.service';
import type { PasswordResetToken } from './password-reset-token.entity';

export interface ResetTokenState {
  id: number;
  userId: number;
  expiresAt: Date | null;
  usedAt: Date | null;
}

interface ResetTokenRow {
  id: number;
  user_id: number;
  expires_at: unknown;
  used_at: unknown;
}

// The password_reset_tokens table. Only a token's hash is ever written or looked up.
@Injectable()
export class PasswordsRepository {
  constructor(private readonly sql: SqlService) {}

  // With `lock` (inside a transaction), the row is held until the transaction ends: a link is spent once.
  async findByHash(tokenHash: string, reader: SqlReader = this.sql, lock = false): Promise<ResetTokenState | null> {
    const [row] = await reader.run<ResetTokenRow>(
      `SELECT id, user_id, expires_at, used_at FROM password_reset_tokens
       WHERE token_hash = ${reader.dialect.placeholder(1)}${lock ? reader.dialect.forUpdate() : ''}`,
      [tokenHash],
    );
    return row ? this.toResetTokenState(row) : null;
  }

  async markUsed(tx: Tx, id: number, at: Date): Promise<void> {
    await tx.query`UPDATE password_reset_tokens SET used_at = ${tx.dialect.encodeTimestamp(at)} WHERE id = ${id}`;
  }

  async deleteUnused(tx: Tx, userId: number): Promise<void> {
    await tx.query`DELETE FROM password_reset_tokens WHERE user_id = ${userId} AND used_at IS NULL`;
  }

  // The user's new link, retiring their unused ones and forgetting used ones older than `staleBefore`.
  async replace(
    tx: Tx,
    token: Pick<PasswordResetToken, 'userId' | 'tokenHash' | 'requestedBy' | 'createdAt' | 'expiresAt'>,
    staleBefore: Date,
  ): Promise<void> {
    const encode = (value: Date) => tx.dialect.encodeTimestamp(value);
    await tx.query`DELETE FROM password_reset_tokens
      WHERE user_id = ${token.userId} AND (used_at IS NULL OR created_at < ${encode(staleBefore)})`;
    await tx.query`INSERT INTO password_reset_tokens (user_id, token_hash, requested_by, created_at, expires_at)
      VALUES (${token.userId}, ${token.tokenHash}, ${token.requestedBy}, ${encode(token.createdAt)}, ${encode(token.expiresAt)})`;
  }

  private toResetTokenState(row: ResetTokenRow): ResetTokenState {
    return {
      id: row.id,
      userId: row.user_id,
      expiresAt: this.sql.dialect.decodeTimestamp(row.expires_at),
      usedAt: this.sql.dialect.decodeTimestamp(row.used_at),
    };
  }
}
