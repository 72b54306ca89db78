import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { DatabaseLostError, DatabaseUnreachableError, isConnectionFailure } from './database-errors';
import { fileIdentity, readInstallationId, SQLITE_FILE, type InstallationIdentity } from './installation';
import { MIGRATIONS } from './migrations';

export const INSTALLATION = Symbol('INSTALLATION');

// A file check a second at most, whatever the traffic; a lost database is noticed within that second.
const CHECK_INTERVAL_MS = 1000;
const PROBE_TIMEOUT_MS = 2000;

export interface CheckResult {
  ok: boolean;
  detail: string;
  latencyMs?: number;
}

// Whether the database in use is still the one the app started with. Once it is not (its file deleted or replaced,
// another installation's row), the app stops using it for good: carrying on would write into a file nobody will
// ever open again, or into someone else's data. Only a restart (which checks DATA_DIR's marker) resumes.
@Injectable()
export class InstallationCheck {
  private readonly logger = new Logger(InstallationCheck.name);
  private readonly databaseFile: string;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private pending: Promise<void> | null = null;
  private lost: string | null = null;

  constructor(
    @Inject(INSTALLATION) private readonly identity: InstallationIdentity,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.databaseFile = join(config.dataDir, SQLITE_FILE);
  }

  // The gate in front of every use of the database: nothing to wait for between checks.
  check(): void | Promise<void> {
    if (this.lost) throw new DatabaseLostError();
    if (performance.now() - this.checkedAt < CHECK_INTERVAL_MS) return;
    return (this.pending ??= this.verify().finally(() => (this.pending = null)));
  }

  private async verify(): Promise<void> {
    let problem: string | null;
    try {
      problem = await this.inspect();
    } catch (error) {
      if (isConnectionFailure(error)) throw new DatabaseUnreachableError();
      throw error;
    }
    this.checkedAt = performance.now();
    if (problem) throw new DatabaseLostError();
  }

  // The check itself, for the gate and /readyz alike: a problem found is final.
  private async inspect(): Promise<string | null> {
    if (this.lost) return this.lost;
    const problem = await this.problem();
    if (problem && !this.lost) {
      this.lost = problem;
      this.logger.error(
        `${problem} (${this.identity.file ? this.databaseFile : 'PostgreSQL'}): the app stopped using it; restore it and restart the app`,
      );
    }
    return this.lost;
  }

  // What is wrong with the database in use, or null.
  private async problem(): Promise<string | null> {
    if (this.identity.file) {
      const now = await fileIdentity(this.databaseFile);
      if (!now) return 'The database file was deleted';
      if (now.dev !== this.identity.file.dev || now.ino !== this.identity.file.ino)
        return 'The database file was replaced by another file';
      return null;
    }
    const id = await readInstallationId(this.dataSource);
    if (id === this.identity.id) return null;
    return id ? 'The database now holds another installation' : 'The database no longer holds its installation';
  }

  // /readyz: each check afresh (not the gate's cached answer), each within its own time limit. A database that is
  // not the one the app started with fails the database check itself: the app no longer has a database to use.
  async readiness(): Promise<Record<'database' | 'installation' | 'migrations', CheckResult>> {
    const started = performance.now();
    const answered = await probe(this.dataSource.query('SELECT 1'));
    const latencyMs = Math.round((performance.now() - started) * 100) / 100;
    const installation = answered.ok ? await probe(this.inspect()) : null;
    if (!answered.ok || this.lost) {
      const detail = this.lost
        ? `${this.lost}; the app stopped using it`
        : `The database does not answer: ${answered.ok ? '' : answered.reason}`;
      const installationCheck = this.lost ? { ok: false, detail } : skipped;
      return { database: { ok: false, detail, latencyMs }, installation: installationCheck, migrations: skipped };
    }
    const migrations = await probe(this.pendingMigrations());
    return {
      database: {
        ok: true,
        detail: `${this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite'} answers`,
        latencyMs,
      },
      installation:
        installation && !installation.ok
          ? { ok: false, detail: `Not checked: ${installation.reason}` }
          : { ok: true, detail: 'The database the app started with' },
      migrations: !migrations.ok
        ? { ok: false, detail: `Not checked: ${migrations.reason}` }
        : migrations.value
          ? { ok: false, detail: migrations.value }
          : { ok: true, detail: `All ${MIGRATIONS.length} applied` },
    };
  }

  private async pendingMigrations(): Promise<string | null> {
    const rows: { name: string }[] = await this.dataSource.query('SELECT name FROM migrations');
    const applied = new Set(rows.map((row) => row.name));
    const known = new Set(MIGRATIONS.map((migration) => migration.name));
    const pending = [...known].filter((name) => !applied.has(name));
    const unknown = [...applied].filter((name) => !known.has(name));
    if (pending.length) return `Not applied: ${pending.join(', ')}`;
    if (unknown.length) return `Applied by a newer version of the app: ${unknown.join(', ')}`;
    return null;
  }
}

const skipped: CheckResult = { ok: false, detail: 'Not checked: the database does not answer' };

type Probed<T> = { ok: true; value: T } | { ok: false; reason: string };

// Never an exception's text beyond its first line (no stack, no connection string), and never a wait beyond the limit.
async function probe<T>(work: Promise<T>): Promise<Probed<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Probed<T>>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `no answer within ${PROBE_TIMEOUT_MS} ms` }),
      PROBE_TIMEOUT_MS,
    );
  });
  const done = work.then(
    (value): Probed<T> => ({ ok: true, value }),
    (error: unknown): Probed<T> => ({ ok: false, reason: firstLine(error) }),
  );
  try {
    return await Promise.race([done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error))
    .split('\n')[0]
    .replace(/postgres(ql)?:\/\/\S+/g, 'DATABASE_URL');
