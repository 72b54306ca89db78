import { accessSync, constants, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';

// Which database an installation is: the `installation` row's id (made once by its migration), and on SQLite the
// file that row lives in. DATA_DIR keeps a copy of the id from the first start on, which is how a start tells "a
// new installation" (empty DATA_DIR: create the database) from "this installation lost its database" (refuse).

export const SQLITE_FILE = 'mca-manager.sqlite';
export const MARKER_FILE = 'installation-id';

// Said to whoever started the app, in one line, and the app stops: nothing was created or changed.
// `transient`: it may pass without anyone acting (PostgreSQL restarting): the service manager may try again. Any
// other needs an operator (a lost database, an unusable DATA_DIR), and trying again only repeats it.
export class StartupError extends Error {
  constructor(
    message: string,
    readonly transient = false,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface FileIdentity {
  dev: number;
  ino: number;
}

export interface InstallationIdentity {
  id: string;
  // SQLite: the database file as it was when the app opened it; null on PostgreSQL.
  file: FileIdentity | null;
}

const ALLOW_NEW = 'set ALLOW_NEW_DATABASE=yes for one start to begin a new, empty installation here';

export function readMarker(dataDir: string): string | null {
  const file = join(dataDir, MARKER_FILE);
  try {
    return existsSync(file) ? readFileSync(file, 'utf8').trim() || null : null;
  } catch (error) {
    throw new StartupError(`Cannot read ${file}: ${(error as Error).message}`);
  }
}

// Before the database is opened (opening a missing SQLite file creates it): DATA_DIR must be usable, and a DATA_DIR
// that belonged to an installation must still hold its database.
export function checkDataDirBeforeOpening(dataDir: string, sqlite: boolean, allowNew: boolean): string | null {
  try {
    mkdirSync(dataDir, { recursive: true });
    accessSync(dataDir, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(
      `DATA_DIR ${dataDir} cannot be created or written to (${reason}): check the path and its owner`,
    );
  }
  const marker = readMarker(dataDir);
  const database = join(dataDir, SQLITE_FILE);
  if (sqlite && marker && !allowNew && !existsSync(database)) {
    throw new StartupError(
      `The database ${database} is missing, but DATA_DIR belongs to installation ${marker}: restore the database from a backup, or ${ALLOW_NEW}`,
    );
  }
  return marker;
}

export async function readInstallationId(dataSource: DataSource): Promise<string | null> {
  const table =
    dataSource.options.type === 'postgres'
      ? `SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'installation'`
      : `SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'installation'`;
  if ((await dataSource.query(table)).length === 0) return null;
  const rows: { id: string }[] = await dataSource.query('SELECT id FROM installation');
  return rows.length === 1 ? rows[0].id : null;
}

// After the database is open and before it is migrated: a DATA_DIR that belongs to an installation accepts only
// that installation's database (an empty one, or another installation's, would otherwise be migrated and used).
export async function checkInstallationBeforeMigrating(
  dataSource: DataSource,
  marker: string | null,
  allowNew: boolean,
  where: string,
): Promise<void> {
  if (!marker || allowNew) return;
  const id = await readInstallationId(dataSource);
  if (id === marker) return;
  throw new StartupError(
    id
      ? `The database at ${where} is installation ${id}, but DATA_DIR belongs to installation ${marker}: point DATABASE_URL or DATA_DIR at the matching pair, or ${ALLOW_NEW}`
      : `The database at ${where} holds no installation, but DATA_DIR belongs to installation ${marker}: restore the database from a backup, or ${ALLOW_NEW}`,
  );
}

// After the migrations (which made the installation row if it was new): DATA_DIR remembers the id.
export async function recordInstallation(
  dataSource: DataSource,
  dataDir: string,
  sqlite: boolean,
): Promise<InstallationIdentity> {
  const id = await readInstallationId(dataSource);
  if (!id) throw new StartupError('The database has no installation row after its migrations ran');
  if (readMarker(dataDir) !== id) {
    const file = join(dataDir, MARKER_FILE);
    try {
      writeFileSync(`${file}.tmp`, `${id}\n`, { mode: 0o644 });
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      throw new StartupError(`Cannot write ${file}: ${(error as Error).message}`);
    }
  }
  return { id, file: sqlite ? await fileIdentity(join(dataDir, SQLITE_FILE)) : null };
}

// null when the file is gone.
export async function fileIdentity(path: string): Promise<FileIdentity | null> {
  try {
    const { dev, ino } = await stat(path);
    return { dev, ino };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

// The address of a PostgreSQL database for a message: never its password.
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return 'DATABASE_URL';
  }
}
