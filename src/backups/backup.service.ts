import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import type { AuditAnchor } from '../audit/audit-anchor';
import { AuditAnchors } from '../audit/audit-anchors.service';
import { AuditTrail } from '../audit/audit-trail.service';
import { AuditVerifier } from '../audit/audit-verifier.service';
import { Clock } from '../common/clock';
import { runAsSystem } from '../common/request-context';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { nativeSqliteHandle } from '../database/native-sqlite';
import { schemaVersionOf, schemaVersionOfFile } from '../database/schema-version';
import { SqlService } from '../database/sql.service';
import { JobsRepository } from '../jobs/jobs.repository';
import { sha256Of, writeBackupFile, type BackupHeader } from './backup-file';
import type { BackupTrigger } from './backup-run.entity';
import { BackupsRepository, type BackupOutcome } from './backups.repository';
import { runPgTool } from './pg-tools';
import { APP_VERSION } from './versions';

export interface BackupResult {
  file: string;
  bytes: number;
  durationMs: number;
  header: BackupHeader;
}

export interface RestoreReport {
  handedBack: number;
  chains: number;
  events: number;
  problems: string[];
}

// The backup cannot be made where it was asked for (the folder, the name): nothing was written.
export class BackupRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupRefusedError';
  }
}

const MAX_ERROR = 2000;

// Online, consistent backups while the app runs, and what a restored database needs before it serves again.
//
// SQLite: SQLite's backup API (better-sqlite3), copying every page in one step from a read transaction, so the
// copy is the database at one commit, WAL included, while writers go on (WAL lets them). PostgreSQL: pg_dump,
// which reads one snapshot. The file is written beside its final name and renamed once whole and on the disk.
@Injectable()
export class BackupService {
  private readonly logger = new Logger(BackupService.name);
  constructor(
    private readonly sql: SqlService,
    private readonly backups: BackupsRepository,
    private readonly jobs: JobsRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly anchors: AuditAnchors,
    private readonly audit: AuditTrail,
    private readonly verifier: AuditVerifier,
    private readonly clock: Clock,
    @InjectAppConfig() private readonly app: AppConfig,
  ) {}

  async create(file: string, trigger: BackupTrigger): Promise<BackupResult> {
    const target = resolve(file);
    await this.checkTarget(target);
    const started = this.clock.now();
    const runId = await this.startRun(target, trigger, started);
    const partial = join(dirname(target), `.${basename(target)}.${randomBytes(4).toString('hex')}.partial`);
    const snapshot = `${partial}-db`;
    try {
      const { schemaVersion, anchor } = await this.snapshot(snapshot);
      const header: BackupHeader = {
        app: 'mca-manager',
        appVersion: APP_VERSION,
        schemaVersion,
        createdAt: this.clock.now().toISOString(),
        database: this.sql.dialect.name,
        payloadBytes: (await stat(snapshot)).size,
        payloadSha256: await sha256Of(snapshot),
        auditAnchor: anchor,
      };
      const bytes = await writeBackupFile(partial, header, snapshot);
      await rename(partial, target);
      await syncFolder(dirname(target));
      const durationMs = this.clock.nowMs() - started.getTime();
      await this.finishRun(runId, { state: 'succeeded', bytes, durationMs, error: null }, target, trigger);
      await this.anchors.remember(anchor, `backup ${target}`);
      this.logger.log({ msg: `Backup written to ${target}`, bytes, durationMs, auditAnchor: anchor });
      return { file: target, bytes, durationMs, header };
    } catch (error) {
      await rm(partial, { force: true });
      const reason = describeFailure(error);
      await this.finishRun(
        runId,
        { state: 'failed', bytes: null, durationMs: this.clock.nowMs() - started.getTime(), error: reason },
        target,
        trigger,
      ).catch((recordError: unknown) => this.logger.error(`Recording the failed backup: ${String(recordError)}`));
      throw new Error(`The backup failed, and no file was left at ${target}: ${reason}`, { cause: error });
    } finally {
      await rm(snapshot, { force: true });
    }
  }

  // After a restore, before the app serves again: jobs caught running are handed back with their attempts (a mail
  // handed to the server then goes again with its Message-ID), every chain is verified, and the backup's signed
  // heads are checked against the restored chains.
  async afterRestore(anchor: AuditAnchor, file: string): Promise<RestoreReport> {
    const bytes = (await stat(file)).size;
    const handedBack = await this.sql.transaction(async (tx) => {
      await this.backups.settleUnfinished(tx, file, bytes, this.clock.now());
      return this.jobs.handBackAll(tx, this.clock.now());
    });
    const verified = await this.verifier.verify();
    const problems = verified.ok
      ? []
      : [
          `the chain of ${verified.broken.brokerId === null ? 'events without a broker' : `broker ${verified.broken.brokerId}`} is broken at seq ${verified.broken.seq}: ${verified.broken.reason}`,
        ];
    const checked = await this.anchors.check(anchor);
    if (!checked.ok) problems.push(...checked.problems);
    const events = verified.chains.reduce((sum, chain) => sum + chain.events, 0);
    await runAsSystem(
      () =>
        this.sql.transaction((tx) =>
          this.audit.record(tx, {
            action: 'backup.restored',
            brokerId: null,
            data: { file, backupMadeAt: anchor.at, jobsHandedBack: handedBack, verified: problems.length === 0 },
          }),
        ),
      { type: 'system', jobId: null, label: 'command line (restore)' },
    );
    return { handedBack, chains: verified.chains.length, events, problems };
  }

  private async checkTarget(target: string): Promise<void> {
    const folder = dirname(target);
    try {
      await access(folder, constants.W_OK);
    } catch {
      throw new BackupRefusedError(`The folder ${folder} does not exist or cannot be written to`);
    }
    if (
      await stat(target).then(
        () => true,
        () => false,
      )
    )
      throw new BackupRefusedError(`${target} exists already: choose a new file name`);
  }

  private async snapshot(into: string): Promise<{ schemaVersion: string; anchor: AuditAnchor }> {
    if (this.sql.dialect.name === 'sqlite') {
      // One step for every page: a copy taken in steps starts again whenever another connection writes between two.
      await nativeSqliteHandle(this.dataSource).backup(into, { progress: ({ totalPages }) => Math.max(totalPages, 1) });
      const copy = new Database(into, { fileMustExist: true });
      try {
        // A file of its own, without the -wal and -shm files WAL mode would add beside it.
        copy.pragma('journal_mode = DELETE');
        const anchor = this.anchors.ofSqliteCopy(copy);
        return { schemaVersion: schemaVersionOfFile(copy), anchor };
      } finally {
        copy.close();
      }
    }
    // Heads read before pg_dump's snapshot: every event up to them is in the dump (chains only grow).
    const anchor = await this.anchors.current();
    const schemaVersion = await schemaVersionOf(this.sql);
    await runPgTool(
      'pg_dump',
      ['--format=custom', '--no-owner', '--no-privileges', `--file=${into}`],
      this.app.databaseUrl!,
    );
    return { schemaVersion, anchor };
  }

  private startRun(file: string, trigger: BackupTrigger, at: Date): Promise<number> {
    return this.sql.transaction((tx) => this.backups.startRun(tx, file, trigger, at));
  }

  private async finishRun(id: number, outcome: BackupOutcome, file: string, trigger: BackupTrigger): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await this.backups.finishRun(tx, id, outcome, this.clock.now());
      await this.audit.record(tx, {
        action: outcome.state === 'succeeded' ? 'backup.created' : 'backup.failed',
        brokerId: null,
        subject: { type: 'backup', id },
        data: { file, trigger, bytes: outcome.bytes, durationMs: outcome.durationMs, error: outcome.error },
      });
    });
  }
}

function describeFailure(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // Node's ENOSPC, SQLite's SQLITE_FULL, or pg_dump's own words for it.
  const diskFull = code === 'ENOSPC' || code === 'SQLITE_FULL' || message.includes('No space left on device');
  const full = diskFull ? `the disk is full (${message})` : message;
  return full.slice(0, MAX_ERROR);
}

// A rename is durable once its folder is flushed too.
export async function syncFolder(folder: string): Promise<void> {
  const handle = await open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
