import { Injectable } from '@nestjs/common';
import { keysetPage, type KeysetBound } from '../common/keyset-page';
import type { Dialect } from '../database/dialect';
import { SqlService } from '../database/sql.service';
import { JOB_LIST_STATES, JOB_PAGE_SIZE, type JobCursor, type JobFilters } from './job-list.query';
import { JOB_VIEW_COLUMNS, toJobView, type JobRow, type JobView } from './job-rows';

export interface JobPage {
  jobs: JobView[];
  newerThan: number | null; // the cursor for newer jobs, when there are some
  olderThan: number | null; // the cursor for older jobs, when there are some
}

// What runs and waits now, whatever the list's filters show.
export interface LiveJobCounts {
  running: number;
  waiting: number;
  retrying: number;
}

export interface SqlStatement {
  sql: string;
  params: unknown[];
}

// A broker's jobs and the app's own (no broker), newest first from `bound`: each half read from its index in id
// order ((broker_id, id), (broker_id, state, id) or (broker_id, type, id)), then merged. An OR of the two would
// make the database read every matching job to sort them.
export function jobListStatement(
  dialect: Dialect,
  brokerId: number,
  filters: JobFilters,
  bound: KeysetBound | null,
  limit: number,
): SqlStatement {
  const params: unknown[] = [];
  const next = (value: unknown) => dialect.placeholder(params.push(value));
  const direction = bound?.op === '>' ? 'ASC' : 'DESC';
  const half = (owner: string) => {
    const where = [owner];
    if (filters.state) where.push(JOB_LIST_STATES[filters.state].sql);
    if (filters.kind) where.push(`type = ${next(filters.kind)}`);
    if (bound) where.push(`id ${bound.op} ${next(bound.id)}`);
    return `SELECT ${JOB_VIEW_COLUMNS} FROM jobs WHERE ${where.join(' AND ')} ORDER BY id ${direction} LIMIT ${next(limit)}`;
  };
  const mine = half(`broker_id = ${next(brokerId)}`);
  const system = half('broker_id IS NULL');
  return {
    sql: `SELECT * FROM (${mine}) AS mine UNION ALL SELECT * FROM (${system}) AS system_jobs
      ORDER BY id ${direction} LIMIT ${next(limit)}`,
    params,
  };
}

// Background work's list: every job still kept (finished ones until JOB_RETENTION_DAYS after they ended), a page
// at a time.
@Injectable()
export class JobList {
  constructor(private readonly sql: SqlService) {}

  async page(brokerId: number, filters: JobFilters, cursor: JobCursor, size = JOB_PAGE_SIZE): Promise<JobPage> {
    const { rows, newerThan, olderThan } = await keysetPage(cursor, size, async (bound, limit) => {
      const { sql, params } = jobListStatement(this.sql.dialect, brokerId, filters, bound, limit);
      return (await this.sql.run<JobRow>(sql, params)).map((row) => toJobView(row, this.sql.dialect));
    });
    return { jobs: rows, newerThan, olderThan };
  }

  async live(brokerId: number): Promise<LiveJobCounts> {
    const p = this.sql.dialect.placeholder;
    const rows = await this.sql.run<{ state: string; retried: number | string; n: number | string }>(
      `SELECT state, CASE WHEN attempts > 0 THEN 1 ELSE 0 END AS retried, COUNT(*) AS n FROM jobs
       WHERE (broker_id = ${p(1)} OR broker_id IS NULL) AND state IN ('queued', 'running') GROUP BY state, retried`,
      [brokerId],
    );
    const count = (state: string, retried: number) =>
      rows
        .filter((row) => row.state === state && Number(row.retried) === retried)
        .reduce((sum, row) => sum + Number(row.n), 0);
    return {
      running: count('running', 0) + count('running', 1),
      waiting: count('queued', 0),
      retrying: count('queued', 1),
    };
  }
}
