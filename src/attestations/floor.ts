// The durable floor this feature stands on (jobs, mail outbox, audit trail, the tenants' writer), reached through
// this one file. Until those modules land in main these are stand-ins with the contracts' exact shapes
// (CONTRACTS.md); on merge this file becomes re-exports of the real ones and AttestationsModule drops FLOOR_STAND_INS.
import { Injectable } from '@nestjs/common';
import type { Actor } from '../common/request-context';
import type { Tx } from '../database/sql.service';

export interface EnqueueOptions {
  brokerId?: number | null;
  uniqueKey?: string;
  runAt?: Date;
  maxAttempts?: number;
}
export interface JobContext {
  jobId: number;
  attempt: number;
  brokerId: number | null;
  progress(done: number, total: number | null): Promise<void>;
  signal: AbortSignal;
}
export interface JobHandler<P = Record<string, unknown>> {
  readonly type: string;
  parse(payload: unknown): P;
  handle(payload: P, ctx: JobContext): Promise<void>;
}
export class RetryLaterError extends Error {
  constructor(
    message: string,
    readonly afterMs?: number,
  ) {
    super(message);
  }
}
export class PermanentJobError extends Error {}

@Injectable()
export class JobQueue {
  enqueue(
    _tx: Tx,
    _type: string,
    _payload: Record<string, unknown>,
    _options?: EnqueueOptions,
  ): Promise<number | null> {
    return Promise.resolve(null);
  }
}
@Injectable()
export class JobRegistry {
  register(_handler: JobHandler<unknown>): void {}
}
@Injectable()
export class RecurringJobs {
  define(_def: { name: string; type: string; payload?: Record<string, unknown>; everyMs?: number }): Promise<void> {
    return Promise.resolve();
  }
}

export interface OutboxMessage {
  brokerId: number | null;
  to: string;
  subject: string;
  template: string;
  context: Record<string, unknown>;
}
@Injectable()
export class Outbox {
  enqueue(_tx: Tx, _message: OutboxMessage): Promise<number> {
    return Promise.resolve(0);
  }
}

export interface AuditEventInput {
  action: string;
  subject?: { type: string; id: string | number } | null;
  data?: Record<string, unknown>;
  brokerId?: number | null;
  actor?: Actor;
}
export interface AuditEventView {
  id: number;
  action: string;
  actorLabel: string;
  actorType: string;
  data: Record<string, unknown>;
  createdAt: Date;
  hash: string;
  prevHash: string | null;
}
@Injectable()
export class AuditTrail {
  record(_tx: Tx, _event: AuditEventInput): Promise<{ id: number; hash: string }> {
    return Promise.resolve({ id: 0, hash: '' });
  }
  forSubject(_type: string, _id: string | number): Promise<AuditEventView[]> {
    return Promise.resolve([]);
  }
}

@Injectable()
export class TenantWriter {
  async setAttestationState(tx: Tx, tenantId: number, state: 'pending' | 'attested' | 'none'): Promise<void> {
    const now = tx.dialect.encodeTimestamp(new Date());
    if (state === 'attested')
      await tx.query`UPDATE tenants SET status = 'attested', accepted_at = ${now} WHERE id = ${tenantId}`;
    else if (state === 'pending')
      await tx.query`UPDATE tenants SET status = CASE WHEN status IN ('attested', 'direct') THEN status ELSE 'pending' END WHERE id = ${tenantId}`;
    else
      await tx.query`UPDATE tenants SET status = CASE WHEN directly_signed THEN 'direct' WHEN status = 'attested' THEN status ELSE 'none' END WHERE id = ${tenantId}`;
  }
}

export const FLOOR_STAND_INS = [JobQueue, JobRegistry, RecurringJobs, Outbox, AuditTrail, TenantWriter];
