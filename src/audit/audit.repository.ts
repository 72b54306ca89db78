import { Injectable } from '@nestjs/common';
import type { KeysetBound } from '../common/keyset-page';
import { containsPattern, type Dialect } from '../database/dialect';
import { SqlService, type Tx } from '../database/sql.service';
import type { ChainHead } from './audit-anchor';
import type { AuditEventView } from './audit-event';
import type { AuditContent } from './audit-hash';
import type { AuditFilters } from './audit-log.query';

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

interface ChainHeadRow {
  chain_id: number | string;
  seq: number | string;
  hash: string;
}

// A copy of the database opened by better-sqlite3 (a backup being taken), read before the app's seam exists for it.
export interface SqliteCopy {
  prepare(sql: string): { all(): unknown[] };
}

const AUDIT_EVENT_COLUMNS =
  'id, chain_id, seq, broker_id, actor_type, actor_id, actor_label, action, subject_type, subject_id, data, created_at, prev_hash, hash';

const parseData = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

// An event in its chain, with the content its hash covers read back from its columns (what the verifier checks).
export interface ChainedAuditEvent {
  id: number;
  seq: number;
  brokerId: number | null;
  action: string;
  content: AuditContent;
  prevHash: string;
  hash: string;
}

function chainedOf(row: AuditEventRow, dialect: Dialect): ChainedAuditEvent {
  const time = dialect.decodeTimestamp(row.created_at);
  const brokerId = row.broker_id === null ? null : Number(row.broker_id);
  return {
    id: Number(row.id),
    seq: Number(row.seq),
    brokerId,
    action: row.action,
    content: {
      broker: brokerId,
      actor: { type: row.actor_type, id: row.actor_id === null ? null : Number(row.actor_id), label: row.actor_label },
      action: row.action,
      subject: row.subject_type === null ? null : { type: row.subject_type, id: row.subject_id ?? '' },
      data: parseData(row.data),
      time: time && !Number.isNaN(time.getTime()) ? time.toISOString() : String(row.created_at),
    },
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

// The event as the pages and the attestation's record show it.
function viewOf(row: AuditEventRow, dialect: Dialect): AuditEventView {
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

const toHead = (row: ChainHeadRow): ChainHead => ({
  chainId: Number(row.chain_id),
  seq: Number(row.seq),
  hash: row.hash,
});

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

const HEADS_SQL = 'SELECT chain_id, seq, hash FROM audit_chain_heads ORDER BY chain_id';

// All SQL of the tables `audit_events`, `audit_chain_heads` and `audit_anchors`.
@Injectable()
export class AuditRepository {
  private readonly chainBatchSql: string;

  constructor(private readonly sql: SqlService) {
    const p = (index: number) => sql.dialect.placeholder(index);
    this.chainBatchSql = `SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events
      WHERE chain_id = ${p(1)} AND seq > ${p(2)} AND seq <= ${p(3)} ORDER BY seq LIMIT ${p(4)}`;
  }

  // Takes the next place in the chain and, on PostgreSQL, the head row's lock until commit: a concurrent append
  // to the same chain (from this instance or another) waits here and then sees this event's hash.
  async advanceHead(tx: Tx, chainId: number, genesisHash: string): Promise<{ seq: number; hash: string }> {
    const [head] = await tx.query<{ seq: number; hash: string }>`
      INSERT INTO audit_chain_heads (chain_id, seq, hash) VALUES (${chainId}, 1, ${genesisHash})
      ON CONFLICT (chain_id) DO UPDATE SET seq = audit_chain_heads.seq + 1
      RETURNING seq, hash`;
    return head;
  }

  async insertEvent(
    tx: Tx,
    event: { chainId: number; seq: number; content: AuditContent; prevHash: string; hash: string },
  ): Promise<number> {
    const { chainId, seq, content, prevHash, hash } = event;
    const [row] = await tx.query<{ id: number }>`
      INSERT INTO audit_events (chain_id, seq, broker_id, actor_type, actor_id, actor_label, action, subject_type,
        subject_id, data, created_at, prev_hash, hash)
      VALUES (${chainId}, ${seq}, ${content.broker}, ${content.actor.type}, ${content.actor.id}, ${content.actor.label},
        ${content.action}, ${content.subject?.type ?? null}, ${content.subject?.id ?? null},
        ${JSON.stringify(content.data)}, ${tx.dialect.encodeTimestamp(new Date(content.time))}, ${prevHash}, ${hash})
      RETURNING id`;
    return Number(row.id);
  }

  async setHeadHash(tx: Tx, chainId: number, hash: string): Promise<void> {
    await tx.query`UPDATE audit_chain_heads SET hash = ${hash} WHERE chain_id = ${chainId}`;
  }

  // The events about one thing, oldest first; only the broker's when one is given.
  async forSubject(type: string, id: string, brokerId: number | undefined): Promise<AuditEventView[]> {
    const p = (index: number) => this.sql.dialect.placeholder(index);
    const params: unknown[] = [type, id];
    let sql = `SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE subject_type = ${p(1)} AND subject_id = ${p(2)}`;
    if (brokerId !== undefined) sql += ` AND broker_id = ${p(params.push(brokerId))}`;
    const rows = await this.sql.run<AuditEventRow>(`${sql} ORDER BY id`, params);
    return rows.map((row) => viewOf(row, this.sql.dialect));
  }

  // A keyset page of the broker's events for the audit page (index (broker_id, id)): newest first, or oldest first
  // after a `>` bound.
  async page(
    brokerId: number,
    filters: AuditFilters,
    bound: KeysetBound | null,
    limit: number,
  ): Promise<AuditEventView[]> {
    const dialect = this.sql.dialect;
    const params: unknown[] = [brokerId];
    const next = (value: unknown) => dialect.placeholder(params.push(value));
    const conditions = [`broker_id = ${dialect.placeholder(1)}`];
    // "user" finds every user.* action; "user.created" just that one.
    if (filters.action)
      conditions.push(
        `(action = ${next(filters.action)} OR action LIKE ${next(`${likeEscaped(filters.action)}.%`)} ESCAPE '\\')`,
      );
    if (filters.subjectType) conditions.push(`subject_type = ${next(filters.subjectType)}`);
    if (filters.subjectId) conditions.push(`subject_id = ${next(filters.subjectId)}`);
    if (filters.actor) conditions.push(dialect.ilike('actor_label', next(containsPattern(filters.actor))));
    if (filters.from)
      conditions.push(`created_at >= ${next(dialect.encodeTimestamp(new Date(`${filters.from}T00:00:00Z`)))}`);
    if (filters.to) {
      const end = new Date(`${filters.to}T00:00:00Z`);
      end.setUTCDate(end.getUTCDate() + 1);
      conditions.push(`created_at < ${next(dialect.encodeTimestamp(end))}`);
    }
    if (bound) conditions.push(`id ${bound.op} ${next(bound.id)}`);
    const direction = bound?.op === '>' ? 'ASC' : 'DESC';
    const rows = await this.sql.run<AuditEventRow>(
      `SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE ${conditions.join(' AND ')}
       ORDER BY id ${direction} LIMIT ${next(limit)}`,
      params,
    );
    return rows.map((row) => viewOf(row, dialect));
  }

  async heads(): Promise<ChainHead[]> {
    return (await this.sql.run<ChainHeadRow>(HEADS_SQL, [])).map(toHead);
  }

  // The heads in a copy of the database (a SQLite backup), which this seam does not reach.
  headsIn(copy: SqliteCopy): ChainHead[] {
    return (copy.prepare(HEADS_SQL).all() as ChainHeadRow[]).map(toHead);
  }

  async head(chainId: number): Promise<{ seq: number; hash: string } | null> {
    const [head] = await this.sql.query<{ seq: number | string; hash: string }>`
      SELECT seq, hash FROM audit_chain_heads WHERE chain_id = ${chainId}`;
    return head ? { seq: Number(head.seq), hash: head.hash } : null;
  }

  async chainsWithEvents(): Promise<number[]> {
    const rows = await this.sql.query<{ chain_id: number | string }>`
      SELECT DISTINCT chain_id FROM audit_events ORDER BY chain_id`;
    return rows.map((row) => Number(row.chain_id));
  }

  async hasEvents(chainId: number): Promise<boolean> {
    const [event] = await this.sql.query<{
      id: number;
    }>`SELECT id FROM audit_events WHERE chain_id = ${chainId} LIMIT 1`;
    return event !== undefined;
  }

  // The chain's events after `afterSeq` up to `uptoSeq`, in order.
  async chainBatch(chainId: number, afterSeq: number, uptoSeq: number, limit: number): Promise<ChainedAuditEvent[]> {
    const rows = await this.sql.run<AuditEventRow>(this.chainBatchSql, [chainId, afterSeq, uptoSeq, limit]);
    return rows.map((row) => chainedOf(row, this.sql.dialect));
  }

  async eventAt(chainId: number, seq: number): Promise<{ id: number; hash: string } | null> {
    const [event] = await this.sql.query<{ id: number | string; hash: string }>`
        SELECT id, hash FROM audit_events WHERE chain_id = ${chainId} AND seq = ${seq}`;
    return event ? { id: Number(event.id), hash: event.hash } : null;
  }

  async lastSeq(chainId: number): Promise<number> {
    const [last] = await this.sql.query<{ seq: number | string | null }>`
          SELECT MAX(seq) AS seq FROM audit_events WHERE chain_id = ${chainId}`;
    return Number(last?.seq ?? 0);
  }

  async placeOfHash(hash: string): Promise<{ chainId: number; seq: number } | null> {
    const [event] = await this.sql.query<{ chain_id: number | string; seq: number | string }>`
      SELECT chain_id, seq FROM audit_events WHERE hash = ${hash}`;
    return event ? { chainId: Number(event.chain_id), seq: Number(event.seq) } : null;
  }

  async insertAnchor(anchor: string, writtenTo: string, at: Date): Promise<void> {
    await this.sql.transaction(
      (tx) => tx.query`INSERT INTO audit_anchors (anchor, written_to, created_at)
        VALUES (${anchor}, ${writtenTo}, ${tx.dialect.encodeTimestamp(at)})`,
    );
  }

  async latestAnchor(): Promise<{ anchor: string; writtenTo: string } | null> {
    const [row] = await this.sql.run<{ anchor: string; written_to: string }>(
      'SELECT anchor, written_to FROM audit_anchors ORDER BY id DESC LIMIT 1',
      [],
    );
    return row ? { anchor: row.anchor, writtenTo: row.written_to } : null;
  }
}
