import { Injectable } from '@nestjs/common';
import type { Database } from 'better-sqlite3';
import type { Client } from 'pg';
import { decodeTimestamp } from '../common/timestamp';
import { SqlService, type Tx } from '../database/sql.service';
import type { BackupRunState, BackupTrigger } from './backup-run.entity';

// Every statement on backup_settings, backup_runs and app_instances, including the two that `restore` runs on a
// database before the app's container exists.

export interface BackupSettings {
  enabled: boolean;
  timeOfDay: string; // HH:MM
  timeZone: string; // IANA
  folder: string; // absolute
  keep: number;
}

export interface BackupRunView {
  id: number;
  trigger: BackupTrigger;
  state: BackupRunState;
  file: string;
  bytes: number | null;
  durationMs: number | null;
  error: string | null;
  startedAt: Date;
}

export interface BackupOutcome {
  state: 'succeeded' | 'failed';
  bytes: number | null;
  durationMs: number;
  error: string | null;
}

export interface InstanceRow {
  id: string;
  host: string;
  pid: number | string;
  seen_at: unknown;
}

interface SettingsRow {
  enabled: boolean | number;
  time_of_day: string;
  time_zone: string;
  folder: string;
  keep: number | string;
}

interface RunRow {
  id: number | string;
  trigger: BackupTrigger;
  state: BackupRunState;
  file: string;
  bytes: number | string | null;
  duration_ms: number | string | null;
  error: string | null;
  started_at: unknown;
}

const INSTANCES = 'SELECT id, host, pid, seen_at FROM app_instances';

const toSettings = (row: SettingsRow): BackupSettings => ({
  enabled: Boolean(row.enabled),
  timeOfDay: row.time_of_day,
  timeZone: row.time_zone,
  folder: row.folder,
  keep: Number(row.keep),
});

const toRun = (row: RunRow): BackupRunView => ({
  id: Number(row.id),
  trigger: row.trigger,
  state: row.state,
  file: row.file,
  bytes: row.bytes === null ? null : Number(row.bytes),
  durationMs: row.duration_ms === null ? null : Number(row.duration_ms),
  error: row.error,
  startedAt: decodeTimestamp(row.started_at)!,
});

// The instances a SQLite database file records (none when it predates app_instances).
export function instancesInSqliteFile(database: Database): InstanceRow[] {
  const hasTable = database
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'app_instances'")
    .get();
  return hasTable ? (database.prepare(INSTANCES).all() as InstanceRow[]) : [];
}

// The instances a PostgreSQL database records, given its tables (none when it predates app_instances).
export async function instancesInPostgres(client: Client, tables: readonly string[]): Promise<InstanceRow[]> {
  return tables.includes('app_instances') ? (await client.query<InstanceRow>(INSTANCES)).rows : [];
}

@Injectable()
export class BackupsRepository {
  constructor(private readonly sql: SqlService) {}

  async settings(): Promise<BackupSettings | null> {
    const [row] = await this.sql.query<SettingsRow>`
      SELECT enabled, time_of_day, time_zone, folder, keep FROM backup_settings WHERE id = 1`;
    return row ? toSettings(row) : null;
  }

  async saveSettings(tx: Tx, settings: BackupSettings, now: Date): Promise<void> {
    const at = tx.dialect.encodeTimestamp(now);
    // 1 or 0: better-sqlite3 binds no booleans, and PostgreSQL reads '1' as true.
    const enabled = settings.enabled ? 1 : 0;
    await tx.query`
      INSERT INTO backup_settings (id, enabled, time_of_day, time_zone, folder, keep, updated_at)
      VALUES (1, ${enabled}, ${settings.timeOfDay}, ${settings.timeZone}, ${settings.folder}, ${settings.keep}, ${at})
      ON CONFLICT (id) DO UPDATE SET enabled = ${enabled}, time_of_day = ${settings.timeOfDay},
        time_zone = ${settings.timeZone}, folder = ${settings.folder}, keep = ${settings.keep}, updated_at = ${at}`;
  }

  // The newest `limit` runs, newest first.
  async runs(limit: number): Promise<BackupRunView[]> {
    const rows = await this.sql.run<RunRow>(
      `SELECT id, trigger, state, file, bytes, duration_ms, error, started_at FROM backup_runs ORDER BY id DESC LIMIT ${limit}`,
      [],
    );
    return rows.map(toRun);
  }

  async startRun(tx: Tx, file: string, trigger: BackupTrigger, at: Date): Promise<number> {
    const [row] = await tx.query<{ id: number | string }>`
      INSERT INTO backup_runs (trigger, state, file, started_at)
      VALUES (${trigger}, 'running', ${file.slice(0, 1000)}, ${tx.dialect.encodeTimestamp(at)}) RETURNING id`;
    return Number(row.id);
  }

  async finishRun(tx: Tx, id: number, outcome: BackupOutcome, at: Date): Promise<void> {
    await tx.query`
      UPDATE backup_runs SET state = ${outcome.state}, bytes = ${outcome.bytes}, duration_ms = ${outcome.durationMs},
        error = ${outcome.error}, finished_at = ${tx.dialect.encodeTimestamp(at)}
      WHERE id = ${id}`;
  }

  // After a restore: the runs the copy caught unfinished. The one that made the restored file succeeded (its file is
  // here); any other was cut off when the copy was taken.
  async settleUnfinished(tx: Tx, restoredFile: string, bytes: number, at: Date): Promise<void> {
    const finishedAt = tx.dialect.encodeTimestamp(at);
    await tx.query`
      UPDATE backup_runs SET state = 'succeeded', bytes = ${bytes}, finished_at = ${finishedAt}
      WHERE state = 'running' AND file = ${restoredFile.slice(0, 1000)}`;
    await tx.query`
      UPDATE backup_runs SET state = 'failed', error = ${'Not finished when this backup was taken (the database was restored from it).'},
        finished_at = ${finishedAt}
      WHERE state = 'running'`;
  }

  async addInstance(tx: Tx, instance: { id: string; host: string; pid: number }, now: Date): Promise<void> {
    const at = tx.dialect.encodeTimestamp(now);
    await tx.query`INSERT INTO app_instances (id, host, pid, started_at, seen_at)
      VALUES (${instance.id}, ${instance.host}, ${instance.pid}, ${at}, ${at})`;
  }

  async removeInstance(tx: Tx, id: string): Promise<void> {
    await tx.query`DELETE FROM app_instances WHERE id = ${id}`;
  }

  // The instance's heartbeat; the rows of instances not seen since `forgetBefore` (killed ones) go.
  async beat(tx: Tx, id: string, now: Date, forgetBefore: Date): Promise<void> {
    await tx.query`UPDATE app_instances SET seen_at = ${tx.dialect.encodeTimestamp(now)} WHERE id = ${id}`;
    await tx.query`DELETE FROM app_instances WHERE seen_at < ${tx.dialect.encodeTimestamp(forgetBefore)}`;
  }
}
