import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { Clock } from '../common/clock';
import type { CurrentUser } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { ReportsRepository, type RefusalReason } from './reports.repository';

export type { RefusalReason } from './reports.repository';

// At most one audit event per user a minute, however often they are refused.
export const REFUSAL_EVENT_EVERY_MS = 60_000;

// Refused report requests in the audit trail, bounded: a scan of the form is refused thousands of times a minute.
// Each refusal adds to the user's tally; the first one after a quiet minute is recorded at once with the count of
// those not yet recorded (itself included), and the rest of a busy minute is recorded by the next minute's flush
// (the schedule tick), so every refusal is counted in some event and no user gets more than one event a minute.
@Injectable()
export class ReportRefusals {
  constructor(
    private readonly sql: SqlService,
    private readonly reports: ReportsRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  async refused(
    user: CurrentUser,
    reason: RefusalReason,
    address: string | null,
    now = this.clock.now(),
  ): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const tally = await this.reports.countRefusal(tx, user.id, user.brokerId, reason, address);
      if (tally.recordedAt && now.getTime() - tally.recordedAt.getTime() < REFUSAL_EVENT_EVERY_MS) return;
      await this.record(tx, user.id, user.brokerId, { reason, address, refused: tally.pending }, now);
    });
  }

  // The refusals of the last busy minutes not yet recorded, one event per user (as the system, naming the user).
  async flush(now = this.clock.now()): Promise<number> {
    const tallies = await this.reports.pendingTallies(new Date(now.getTime() - REFUSAL_EVENT_EVERY_MS));
    for (const tally of tallies)
      await this.sql.transaction(async (tx) => {
        const current = await this.reports.lockTally(tx, tally.userId);
        if (!current || current.pending === 0) return;
        await this.record(
          tx,
          tally.userId,
          tally.brokerId,
          { reason: current.lastReason, address: current.lastAddress, refused: current.pending },
          now,
        );
      });
    return tallies.length;
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
    await this.reports.markTallyRecorded(tx, userId, now);
  }
}
