import type { Dialect } from '../database/dialect';
import type { AuditContent } from './audit-hash';

// A row of audit_events as both drivers return it.
export interface AuditEventRow {
  id: number;
  chain_id: number;
  seq: number;
  broker_id: number | null;
  actor_type: string;
  actor_id: number | null;
  actor_label: string;
  action: string;
  subject_type: string | null;
  subject_id: string | null;
  data: string;
  created_at: unknown;
  prev_hash: string;
  hash: string;
}

export interface AuditEventView {
  id: number;
  action: string;
  actorLabel: string;
  actorType: string;
  subject: { type: string; id: string } | null;
  data: Record<string, unknown>;
  createdAt: Date;
  hash: string;
  prevHash: string;
}

export const AUDIT_EVENT_COLUMNS =
  'id, chain_id, seq, broker_id, actor_type, actor_id, actor_label, action, subject_type, subject_id, data, created_at, prev_hash, hash';

const parseData = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

// The content the row's hash covers, read back from its columns.
export function contentOf(row: AuditEventRow, dialect: Dialect): AuditContent {
  const time = dialect.decodeTimestamp(row.created_at);
  return {
    broker: row.broker_id === null ? null : Number(row.broker_id),
    actor: { type: row.actor_type, id: row.actor_id === null ? null : Number(row.actor_id), label: row.actor_label },
    action: row.action,
    subject: row.subject_type === null ? null : { type: row.subject_type, id: row.subject_id ?? '' },
    data: parseData(row.data),
    time: time && !Number.isNaN(time.getTime()) ? time.toISOString() : String(row.created_at),
  };
}

export function viewOf(row: AuditEventRow, dialect: Dialect): AuditEventView {
  const data = parseData(row.data);
  return {
    id: Number(row.id),
    action: row.action,
    actorLabel: row.actor_label,
    actorType: row.actor_type,
    subject: row.subject_type === null ? null : { type: row.subject_type, id: row.subject_id ?? '' },
    data: data !== null && typeof data === 'object' ? (data as Record<string, unknown>) : { value: data },
    createdAt: dialect.decodeTimestamp(row.created_at) ?? new Date(NaN),
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}
