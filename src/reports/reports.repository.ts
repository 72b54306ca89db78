import { Injectable } from '@nestjs/common';
import type { Dialect } from '../database/dialect';
import { SqlService, type Tx } from '../database/sql.service';
import { ReportRequest } from './report-request.entity';
import { ReportSchedule } from './report-schedule.entity';

// Every statement on the reports' tables: requests, schedules, settings, stored files and refusal tallies. Requests
// and schedules are read and written as their entities; the rest by hand, where a statement is one upsert.

export type RefusalReason = 'limit' | 'recipient_not_allowed';

export interface RefusalTally {
  userId: number;
  brokerId: number;
  pending: number;
  lastReason: RefusalReason;
  lastAddress: string | null;
  recordedAt: Date | null;
}

interface TallyRow {
  user_id: number | string;
  broker_id: number | string;
  pending: number | string;
  last_reason: RefusalReason;
  last_address: string | null;
  recorded_at: unknown;
}

const TALLY_COLUMNS = 'user_id, broker_id, pending, last_reason, last_address, recorded_at';

const toTally = (row: TallyRow, dialect: Dialect): RefusalTally => ({
  userId: Number(row.user_id),
  brokerId: Number(row.broker_id),
  pending: Number(row.pending),
  lastReason: row.last_reason,
  lastAddress: row.last_address,
  recordedAt: dialect.decodeTimestamp(row.recorded_at),
});

export type NewReportRequest = Pick<
  ReportRequest,
  'brokerId' | 'requestedBy' | 'scheduleId' | 'dueAt' | 'email' | 'format' | 'filter' | 'expiresAt'
>;

export type NewReportSchedule = Omit<ReportSchedule, 'id' | 'lastRunAt' | 'lastResult' | 'createdAt' | 'updatedAt'>;

@Injectable()
export class ReportsRepository {
  constructor(private readonly sql: SqlService) {}

  async insertRequest(tx: Tx, values: NewReportRequest): Promise<ReportRequest> {
    const repo = tx.manager.getRepository(ReportRequest);
    return repo.save(repo.create({ ...values, state: 'queued' }));
  }

  // The broker's request `id`, read in `tx` when given.
  async request(id: number, brokerId: number, tx?: Tx): Promise<ReportRequest | null> {
    return (tx?.manager ?? this.sql.manager).getRepository(ReportRequest).findOneBy({ id, brokerId });
  }

  async updateRequest(tx: Tx, id: number, changes: Partial<ReportRequest>): Promise<void> {
    await tx.manager.getRepository(ReportRequest).update(id, changes);
  }

  // A user's own requests not yet expired at `now`, newest first.
  recentRequests(brokerId: number, userId: number, now: Date, limit: number): Promise<ReportRequest[]> {
    return this.sql.manager
      .getRepository(ReportRequest)
      .createQueryBuilder('r')
      .where('r.brokerId = :brokerId AND r.requestedBy = :userId AND r.expiresAt > :now', {
        brokerId,
        userId,
        now: this.sql.dialect.encodeTimestamp(now),
      })
      .orderBy('r.id', 'DESC')
      .limit(limit)
      .getMany();
  }

  // Up to `limit` finished requests that expired at `now`, oldest first.
  async expiredRequestIds(now: Date, limit: number): Promise<number[]> {
    const p = this.sql.dialect.placeholder;
    const rows = await this.sql.run<{ id: number | string }>(
      `SELECT id FROM report_requests WHERE expires_at <= ${p(1)} AND state IN ('sent', 'failed') ORDER BY id LIMIT ${limit}`,
      [this.sql.dialect.encodeTimestamp(now)],
    );
    return rows.map((row) => Number(row.id));
  }

  async deleteRequests(tx: Tx, ids: readonly number[]): Promise<void> {
    await tx.run(
      `DELETE FROM report_requests WHERE id IN (${ids.map((_, i) => tx.dialect.placeholder(i + 1)).join(', ')})`,
      ids,
    );
  }

  schedules(brokerId: number): Promise<ReportSchedule[]> {
    return this.sql.manager
      .getRepository(ReportSchedule)
      .find({ where: { brokerId }, order: { name: 'ASC', id: 'ASC' } });
  }

  // The schedule `id` (of the broker, when one is given), read in `tx` when given.
  schedule(id: number, brokerId?: number, tx?: Tx): Promise<ReportSchedule | null> {
    const where = brokerId === undefined ? { id } : { id, brokerId };
    return (tx?.manager ?? this.sql.manager).getRepository(ReportSchedule).findOneBy(where);
  }

  async insertSchedule(tx: Tx, values: NewReportSchedule): Promise<ReportSchedule> {
    const repo = tx.manager.getRepository(ReportSchedule);
    return repo.save(repo.create(values));
  }

  async saveSchedule(tx: Tx, schedule: ReportSchedule): Promise<void> {
    await tx.manager.getRepository(ReportSchedule).save(schedule);
  }

  async deleteSchedule(tx: Tx, schedule: ReportSchedule): Promise<void> {
    await tx.manager.getRepository(ReportSchedule).delete({ id: schedule.id, brokerId: schedule.brokerId });
  }

  async setScheduleResult(tx: Tx, id: number, lastResult: string): Promise<void> {
    await tx.manager.getRepository(ReportSchedule).update(id, { lastResult });
  }

  // Up to `limit` schedules whose run is due at `now`, the most overdue first.
  async dueScheduleIds(now: Date, limit: number): Promise<number[]> {
    const rows = await this.sql.run<{ id: number | string }>(
      `SELECT id FROM report_schedules WHERE paused = false AND next_run_at <= ${this.sql.dialect.placeholder(1)} ORDER BY next_run_at, id LIMIT ${limit}`,
      [this.sql.dialect.encodeTimestamp(now)],
    );
    return rows.map((row) => Number(row.id));
  }

  // Moves the schedule's next run on from `dueAt`, the due time it was read with: false when another instance did
  // first (the run is theirs).
  async takeScheduleRun(tx: Tx, schedule: ReportSchedule, dueAt: Date, next: Date): Promise<boolean> {
    const moved = await tx.manager
      .getRepository(ReportSchedule)
      .update({ id: schedule.id, nextRunAt: dueAt }, { nextRunAt: next, lastRunAt: dueAt });
    return moved.affected === 1;
  }

  // The broker's allowed recipient domains as stored, one a line; read in `tx` when given.
  async recipientDomains(brokerId: number, tx?: Tx): Promise<string> {
    const [row] = await (tx ?? this.sql).query<{ recipient_domains: string }>`
      SELECT recipient_domains FROM report_settings WHERE broker_id = ${brokerId}`;
    return row?.recipient_domains ?? '';
  }

  async saveRecipientDomains(tx: Tx, brokerId: number, domains: string, now: Date): Promise<void> {
    const at = tx.dialect.encodeTimestamp(now);
    await tx.query`
      INSERT INTO report_settings (broker_id, recipient_domains, updated_at) VALUES (${brokerId}, ${domains}, ${at})
      ON CONFLICT (broker_id) DO UPDATE SET recipient_domains = ${domains}, updated_at = ${at}`;
  }

  async insertFileChunk(tx: Tx, requestId: number, seq: number, bytes: Buffer): Promise<void> {
    await tx.query`INSERT INTO report_file_chunks (request_id, seq, bytes) VALUES (${requestId}, ${seq}, ${bytes})`;
  }

  async deleteFileChunks(tx: Tx, requestId: number): Promise<void> {
    await tx.query`DELETE FROM report_file_chunks WHERE request_id = ${requestId}`;
  }

  async fileChunk(requestId: number, seq: number): Promise<Buffer | null> {
    const [row] = await this.sql.query<{ bytes: Buffer | Uint8Array }>`
      SELECT bytes FROM report_file_chunks WHERE request_id = ${requestId} AND seq = ${seq}`;
    return row ? Buffer.from(row.bytes.buffer, row.bytes.byteOffset, row.bytes.byteLength) : null;
  }

  // One more refusal in the user's tally; the upsert takes the row's lock (PostgreSQL) until commit, so that
  // concurrent refusals of one user count in turn.
  async countRefusal(
    tx: Tx,
    userId: number,
    brokerId: number,
    reason: RefusalReason,
    address: string | null,
  ): Promise<Pick<RefusalTally, 'pending' | 'recordedAt'>> {
    const [tally] = await tx.query<Pick<TallyRow, 'pending' | 'recorded_at'>>`
      INSERT INTO report_refusal_tallies (user_id, broker_id, pending, last_reason, last_address)
      VALUES (${userId}, ${brokerId}, 1, ${reason}, ${address})
      ON CONFLICT (user_id) DO UPDATE SET pending = report_refusal_tallies.pending + 1,
        last_reason = ${reason}, last_address = ${address}
      RETURNING pending, recorded_at`;
    return { pending: Number(tally.pending), recordedAt: tx.dialect.decodeTimestamp(tally.recorded_at) };
  }

  // The tallies with refusals not yet recorded, last recorded at or before `cutoff`.
  async pendingTallies(cutoff: Date): Promise<RefusalTally[]> {
    const rows = await this.sql.run<TallyRow>(
      `SELECT ${TALLY_COLUMNS} FROM report_refusal_tallies
      WHERE pending > 0 AND recorded_at <= ${this.sql.dialect.placeholder(1)}`,
      [this.sql.dialect.encodeTimestamp(cutoff)],
    );
    return rows.map((row) => toTally(row, this.sql.dialect));
  }

  // The user's tally, locked until `tx` ends.
  async lockTally(tx: Tx, userId: number): Promise<RefusalTally | null> {
    const [row] = await tx.run<TallyRow>(
      `SELECT ${TALLY_COLUMNS} FROM report_refusal_tallies WHERE user_id = ${tx.dialect.placeholder(1)}${tx.dialect.forUpdate()}`,
      [userId],
    );
    return row ? toTally(row, tx.dialect) : null;
  }

  async markTallyRecorded(tx: Tx, userId: number, now: Date): Promise<void> {
    await tx.query`UPDATE report_refusal_tallies SET pending = 0, recorded_at = ${tx.dialect.encodeTimestamp(now)}
      WHERE user_id = ${userId}`;
  }
}
