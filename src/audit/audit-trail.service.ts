import { Injectable } from '@nestjs/common';
import { Clock } from '../common/clock';
import { currentActor, currentBrokerId, type Actor } from '../common/request-context';
import type { Tx } from '../database/sql.service';
import type { AuditEventView } from './audit-event';
import { GENESIS_HASH, hashEvent, normaliseData, type AuditContent } from './audit-hash';
import { AuditRepository } from './audit.repository';

export type { AuditEventView } from './audit-event';

export interface AuditEventInput {
  action: string; // e.g. 'user.created', 'attestation.finalized', 'report.sent'
  subject?: { type: string; id: string | number } | null;
  data?: Record<string, unknown>;
  brokerId?: number | null; // default: currentBrokerId()
  actor?: AuditActor; // default: currentActor()
}

// Who an event names as having acted: a user or the system (request-context's Actor), or a customer, whose act the
// app learns of (an acceptance on its agreement link) and who has no account here.
export type AuditActor = Actor | { type: 'customer'; label: string };

// Events without a broker share one chain of their own.
export const chainIdOf = (brokerId: number | null): number => brokerId ?? 0;

const LIMITS = { action: 100, subjectType: 64, subjectId: 100, actorLabel: 300 };

// The one writer of the audit trail: each event is appended to its broker's chain in the caller's transaction, so
// it exists exactly when the change it records committed.
@Injectable()
export class AuditTrail {
  constructor(
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
  ) {}

  async record(tx: Tx, event: AuditEventInput): Promise<{ id: number; hash: string }> {
    const brokerId = event.brokerId === undefined ? (currentBrokerId() ?? null) : event.brokerId;
    const actor = event.actor ?? currentActor();
    const chainId = chainIdOf(brokerId);
    const content: AuditContent = {
      broker: brokerId,
      actor: {
        type: actor.type,
        id: actor.type === 'system' ? actor.jobId : actor.type === 'customer' ? null : actor.id,
        label: actor.label.slice(0, LIMITS.actorLabel),
      },
      action: event.action.slice(0, LIMITS.action),
      subject: event.subject
        ? {
            type: event.subject.type.slice(0, LIMITS.subjectType),
            id: String(event.subject.id).slice(0, LIMITS.subjectId),
          }
        : null,
      data: normaliseData(event.data),
      time: this.clock.now().toISOString(),
    };
    const head = await this.repository.advanceHead(tx, chainId, GENESIS_HASH);
    const hash = hashEvent(head.hash, content);
    const id = await this.repository.insertEvent(tx, { chainId, seq: head.seq, content, prevHash: head.hash, hash });
    await this.repository.setHeadHash(tx, chainId, hash);
    return { id, hash };
  }

  // The events about one thing, oldest first; inside a broker's context only that broker's.
  forSubject(type: string, id: string | number): Promise<AuditEventView[]> {
    return this.repository.forSubject(type, String(id), currentBrokerId());
  }
}
