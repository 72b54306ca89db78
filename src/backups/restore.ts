import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { signatureIsValid } from '../audit/audit-anchor';
import { SQLITE_FILE } from '../database/installation';
import { extractPayload, readBackupFile, BadBackupFileError, type BackupHeader } from './backup-file';
import { syncFolder } from './backup.service';
import { instancesInPostgres, instancesInSqliteFile, type InstanceRow } from './backups.repository';
import { liveInstances } from './instance-presence';
import { runPgTool } from './pg-tools';
import { schemaRefusal } from './versions';

export interface RestoreTarget {
  dataDir: string;
  databaseUrl: string | undefined;
  // Replace a database that holds data (SQLite: the old file is kept beside it; PostgreSQL: its schema is dropped).
  force: boolean;
  // APP_SECRET, or the secret generated into DATA_DIR; null when there is neither yet.
  secret: string | null;
}

// Refused before anything was changed: the message says why and what to do.
export class RestoreRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreRefusedError';
  }
}

// Runs before the app's container exists, so it reads the time itself (there is no Clock to ask yet).
//
// Puts the database of a backup in place of the installation's (DATA_DIR or DATABASE_URL). Everything that can
// refuse is checked first (the file whole, its schema known to this version, the database kind, no instance
// running, the target empty unless forced), so a refusal changes nothing. The caller then starts the app's context
// on the restored database to hand jobs back and verify the audit trail (BackupService.afterRestore).
export async function restoreDatabase(file: string, target: RestoreTarget): Promise<BackupHeader> {
  const { header, payloadOffset } = await readBackupFile(file);
  const refusal = schemaRefusal(header.schemaVersion);
  if (refusal) throw new BadBackupFileError(file, refusal);
  if (target.secret === null)
    throw new RestoreRefusedError(
      `This installation has no APP_SECRET yet: set APP_SECRET to the secret of the installation the backup came from (or copy its app-secret file into ${target.dataDir}). Its sessions, stored Partner Center secrets and signed audit heads need it. Nothing was changed`,
    );
  if (!signatureIsValid(target.secret, header.auditAnchor))
    throw new RestoreRefusedError(
      `The backup's audit heads are not signed with this installation's APP_SECRET: it comes from another installation, or its header was changed. Set APP_SECRET to the secret of the installation it came from. Nothing was changed`,
    );
  const kind = target.databaseUrl ? 'postgres' : 'sqlite';
  if (header.database !== kind)
    throw new RestoreRefusedError(
      `${file} is a backup of a ${header.database === 'sqlite' ? 'SQLite' : 'PostgreSQL'} database, and this installation uses ${kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: restore it into the kind it came from`,
    );
  return kind === 'sqlite'
    ? restoreSqlite(file, header, payloadOffset, target)
    : restorePostgres(file, header, payloadOffset, target);
}

// APP_SECRET, or the one a past start generated into DATA_DIR (config/app-secret.ts), without generating one.
export function configuredSecret(appSecret: string | undefined, dataDir: string): string | null {
  if (appSecret) return appSecret;
  const file = join(dataDir, 'app-secret');
  return existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
}

function refuseRunning(rows: InstanceRow[]): void {
  const live = liveInstances(rows, new Date());
  if (live.length > 0)
    throw new RestoreRefusedError(
      `An instance of the app is running on this database: ${live.join('; ')}. Stop every instance, then restore (an instance that was killed stops counting 30 s after its last heartbeat). Nothing was changed`,
    );
}

async function restoreSqlite(
  file: string,
  header: BackupHeader,
  payloadOffset: number,
  target: RestoreTarget,
): Promise<BackupHeader> {
  await mkdir(target.dataDir, { recursive: true });
  const database = join(target.dataDir, SQLITE_FILE);
  const exists = existsSync(database);
  if (exists) {
    const current = new Database(database, { readonly: true, fileMustExist: true });
    try {
      refuseRunning(instancesInSqliteFile(current));
    } finally {
      current.close();
    }
    if (!target.force)
      throw new RestoreRefusedError(
        `${database} exists already: restore into a new DATA_DIR, or add --force to replace it (the current file is kept beside it). Nothing was changed`,
      );
  }
  const partial = join(target.dataDir, `.restore-${randomBytes(4).toString('hex')}.sqlite`);
  try {
    await extractPayload(file, payloadOffset, partial);
    const copy = new Database(partial, { fileMustExist: true });
    try {
      const [result] = copy.pragma('integrity_check') as { integrity_check: string }[];
      if (result?.integrity_check !== 'ok')
        throw new BadBackupFileError(file, `its database fails SQLite's integrity check (${result?.integrity_check})`);
    } catch (error) {
      if (error instanceof BadBackupFileError) throw error;
      throw new BadBackupFileError(file, `its database cannot be read (${(error as Error).message})`);
    } finally {
      copy.close();
    }
    // A WAL or shared-memory file left by the old database would be read as part of the new one.
    if (exists) {
      const aside = `${database}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      await rm(`${database}-shm`, { force: true });
      if (existsSync(`${database}-wal`)) await rename(`${database}-wal`, `${aside}-wal`);
      await rename(database, aside);
    }
    await rename(partial, database);
    await syncFolder(target.dataDir);
    return header;
  } finally {
    await rm(partial, { force: true });
  }
}

async function restorePostgres(
  file: string,
  header: BackupHeader,
  payloadOffset: number,
  target: RestoreTarget,
): Promise<BackupHeader> {
  const client = new Client({ connectionString: target.databaseUrl });
  await client.connect();
  const dump = join(target.dataDir, `.restore-${randomBytes(4).toString('hex')}.dump`);
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    refuseRunning(
      await instancesInPostgres(
        client,
        tables.map((table) => table.name),
      ),
    );
    if (tables.length > 0 && !target.force)
      throw new RestoreRefusedError(
        `The database at DATABASE_URL is not empty (${tables.length} tables): restore into an empty database, or add --force to drop its public schema first. Nothing was changed`,
      );
    await mkdir(target.dataDir, { recursive: true });
    await extractPayload(file, payloadOffset, dump);
    if (tables.length > 0) await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
    // One transaction: a dump that fails half-way leaves the database as it was.
    await runPgTool(
      'pg_restore',
      ['--no-owner', '--no-privileges', '--single-transaction', '--exit-on-error', dump],
      target.databaseUrl!,
    );
    return header;
  } finally {
    await client.end();
    await rm(dump, { force: true });
  }
}
