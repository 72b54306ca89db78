import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import type { CurrentUser } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';

export type RefusalReason = 'limit' | 'recipient_not_allowed';

// At most one audit event per user a minute, however often they are refused.
export const REFUSAL_EVENT_EVERY_MS = 60_000;

interface TallyRow {
  user_id: number | string;
  broker_id: number | string;
  pending: number | string;
  last_reason: RefusalReason;
  last_address: string | null;
  recorded_at: unknown;
}

// Refused report requests in the audit trail, bounded: a scan of the form is refused thousands of times a minute.
// Each refusal adds to the user's tally; the first one after a quiet minute is recorded at once with the count of
// those not yet recorded (itself included), and the rest of a busy minute is recorded by the next minute's flush
// (the schedule tick), so every refusal is counted in some event and no user gets more than one event a minute.
@Injectable()
export class ReportRefusals {
  constructor(
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
  ) {}

  async refused(user: CurrentUser, reason: RefusalReason, address: string | null, now = new Date()): Promise<void> {
    await this.sql.transaction(async (tx) => {
      // The upsert takes the row's lock (PostgreSQL) until commit: concurrent refusals of one user count in turn.
      const [tally] = await tx.query<Pick<TallyRow, 'pending' | 'recorded_at'>>`
        INSERT INTO report_refusal_tallies (user_id, broker_id, pending, last_reason, last_address)
        VALUES (${user.id}, ${user.brokerId}, 1, ${reason}, ${address})
        ON CONFLICT (user_id) DO UPDATE SET pending = report_refusal_tallies.pending + 1,
          last_reason = ${reason}, last_address = ${address}
        RETURNING pending, recorded_at`;
      const recordedAt = tx.dialect.decodeTimestamp(tally.recorded_at);
      if (recordedAt && now.getTime() - recordedAt.getTime() < REFUSAL_EVENT_EVERY_MS) return;
      await this.record(tx, user.id, user.brokerId, { reason, address, refused: Number(tally.pending) }, now);
    });
  }

  // The refusals of the last busy minutes not yet recorded, one event per user (as the system, naming the user).
  async flush(now = new Date()): Promise<number> {
    const cutoff = this.sql.dialect.encodeTimestamp(new Date(now.getTime() - REFUSAL_EVENT_EVERY_MS));
    const rows = await this.sql.query<TallyRow>`
      SELECT user_id, broker_id, pending, last_reason, last_address, recorded_at FROM report_refusal_tallies
      WHERE pending > 0 AND recorded_at <= ${cutoff}`;
    for (const row of rows)
      await this.sql.transaction(async (tx) => {
        const lock = tx.dialect.name === 'postgres' ? ' FOR UPDATE' : '';
        const [current] = await tx.run<TallyRow>(
          `SELECT pending, last_reason, last_address FROM report_refusal_tallies WHERE user_id = ${tx.dialect.placeholder(1)}${lock}`,
          [row.user_id],
        );
        if (!current || Number(current.pending) === 0) return;
        await this.record(
          tx,
          Number(row.user_id),
          Number(row.broker_id),
          { reason: current.last_reason, address: current.last_address, refused: Number(current.pending) },
          now,
        );
      });
    return rows.length;
  }

  private async record(
    tx: Tx,
    userId: number,
    brokerId: number,
    data: { reason: RefusalReason; address: string | null; refused: number },
    now: Date,
  ): Promise<void> {
    await this.audit.record(tx, {
      action: 'report.request_refused',
      brokerId,
      subject: { type: 'user', id: userId },
      // `refused`: the user's refusals since their previous such event, this one included; reason and address are
      // the latest one's.
      data,
    });
    await tx.query`UPDATE report_refusal_tallies SET pending = 0, recorded_at = ${tx.dialect.encodeTimestamp(now)}
      WHERE user_id = ${userId}`;
  }
}
