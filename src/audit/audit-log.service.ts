import { Injectable } from '@nestjs/common';
import { BrokerScope } from '../common/broker-scope.service';
import { keysetPage, type KeysetBound } from '../common/keyset-page';
import { containsPattern } from '../database/dialect';
import { SqlService } from '../database/sql.service';
import { AUDIT_EVENT_COLUMNS, viewOf, type AuditEventRow, type AuditEventView } from './audit-event';
import { AUDIT_PAGE_SIZE, type AuditCursor, type AuditFilters } from './audit-log.query';

export interface AuditPage {
  events: AuditEventView[];
  newerThan: number | null; // the cursor for newer events, when there are some
  olderThan: number | null; // the cursor for older events, when there are some
}

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

// The current broker's events for the audit page: newest first, one keyset page at a time (index (broker_id, id)).
@Injectable()
export class AuditLogService {
  constructor(
    private readonly sql: SqlService,
    private readonly scope: BrokerScope,
  ) {}

  async page(filters: AuditFilters, cursor: AuditCursor, size = AUDIT_PAGE_SIZE): Promise<AuditPage> {
    const where = this.where(filters);
    const { rows, newerThan, olderThan } = await keysetPage(cursor, size, async (bound, limit) =>
      (await this.select(where, bound, limit)).map((row) => viewOf(row, this.sql.dialect)),
    );
    return { events: rows, newerThan, olderThan };
  }

  private where(filters: AuditFilters): { sql: string[]; params: unknown[] } {
    const dialect = this.sql.dialect;
    const params: unknown[] = [this.scope.brokerId()];
    const next = (value: unknown) => dialect.placeholder(params.push(value));
    const sql = [`broker_id = ${dialect.placeholder(1)}`];
    // "user" finds every user.* action; "user.created" just that one.
    if (filters.action)
      sql.push(
        `(action = ${next(filters.action)} OR action LIKE ${next(`${likeEscaped(filters.action)}.%`)} ESCAPE '\\')`,
      );
    if (filters.subjectType) sql.push(`subject_type = ${next(filters.subjectType)}`);
    if (filters.subjectId) sql.push(`subject_id = ${next(filters.subjectId)}`);
    if (filters.actor) sql.push(dialect.ilike('actor_label', next(containsPattern(filters.actor))));
    if (filters.from) sql.push(`created_at >= ${next(dialect.encodeTimestamp(new Date(`${filters.from}T00:00:00Z`)))}`);
    if (filters.to) {
      const end = new Date(`${filters.to}T00:00:00Z`);
      end.setUTCDate(end.getUTCDate() + 1);
      sql.push(`created_at < ${next(dialect.encodeTimestamp(end))}`);
    }
    return { sql, params };
  }

  private select(
    where: { sql: string[]; params: unknown[] },
    bound: KeysetBound | null,
    limit: number,
  ): Promise<AuditEventRow[]> {
    const direction = bound?.op === '>' ? 'ASC' : 'DESC';
    const params = [...where.params];
    const next = (value: unknown) => this.sql.dialect.placeholder(params.push(value));
    const conditions = [...where.sql];
    if (bound) conditions.push(`id ${bound.op} ${next(bound.id)}`);
    return this.sql.run<AuditEventRow>(
      `SELECT ${AUDIT_EVENT_COLUMNS} FROM audit_events WHERE ${conditions.join(' AND ')}
       ORDER BY id ${direction} LIMIT ${next(limit)}`,
      params,
    );
  }
}
