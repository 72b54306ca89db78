import { Injectable } from '@nestjs/common';
import { currentActor, currentBrokerId, type Actor } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { AUDIT_EVENT_COLUMNS, viewOf, type AuditEventRow, type AuditEventView } from './audit-event';
import { GENESIS_HASH, hashEvent, normaliseData, type AuditContent } from './audit-hash';

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
  constructor(private readonly sql: SqlService) {}

  async record(tx: Tx, event: AuditEventInput): Promise<{ id: number; hash: string }> {
    const brokerId = event.brokerId === undefined ? (currentBrokerId() ?? null) : event.brokerId;
    const actor = event.actor ?? currentActor();
    const chainId = chainIdOf(brokerId);
    const content: AuditContent = {
      broker: brokerId,
      actor: {
        type: actor.type,
        id: actor.type === 'user' ? actor.id : actor.type === 'system' ? actor.jobId : null,
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
      time: new Date().toISOString(),
    };
    // Takes the next place in the chain and, on PostgreSQL, the head row's lock until commit: a concurrent append
    // to the same chain (from this instance or another) waits here and then sees this event's hash.
    const [head] = await tx.query<{ seq: number; hash: string }>`
      INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES (${chainId}, 1, ${GENESIS_HASH})
      ON CONFLICT (chain_id) DO UPDATE SET seq = audit_chain_heads.seq + 1
      RETURNING seq, hash`;
    const hash = hashEvent(head.hash, content);
    const [row] = await tx.query<{ id: number }>`
      INSERT INTO audit_events (chain_id, seq, broker_id, actor_type, actor_id, actor_label, action, subject_type,
        subject_id, data, created_at, prev_hash, hash)
      VALUES (${chainId}, ${head.seq}, ${brokerId}, ${content.actor.type}, ${content.actor.id}, ${content.actor.label},
        ${content.action}, ${content.subject?.type ?? null}, ${content.subject?.id ?? null},
        ${JSON.stringify(content.data)}, ${tx.dialect.encodeTimestamp(new Date(content.time))}, ${head.hash}, ${hash})
      RETURNING id`;
    await tx.query`UPDATE audit_chain_heads SET hash = ${hash} WHERE chain_id = ${chainId}`;
    return { id: Number(row.id), hash };
  }

  // The events about one thing, oldest first; inside a broker's context only that broker's.
  async forSubject(type: string, id: string | number): Promise<AuditEventView[]> {
    const p = (index: number) => this.sql.dialect.placeholder(index);
    const brokerId = currentBrokerId();
    const params: unknown[] = [type, String(id)];
    let sql = `SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE subject_type = ${p(1)} AND subject_id = ${p(2)}`;
    if (brokerId !== undefined) sql += ` AND broker_id = ${p(params.push(brokerId))}`;
    const rows = await this.sql.run<AuditEventRow>(`${sql} ORDER BY id`, params);
    return rows.map((row) => viewOf(row, this.sql.dialect));
  }
}
