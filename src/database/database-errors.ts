import { UnavailableError } from '../common/domain-errors';

// The database stayed locked by another connection for the whole of the caller's budget.
export class DatabaseBusyError extends UnavailableError {
  constructor() {
    super('The database is busy with other work. Nothing was saved: try again in a few seconds.', 2);
  }
}

// The database the app started with was deleted or replaced under it: it is no longer used, even to read.
export class DatabaseLostError extends UnavailableError {
  constructor() {
    super(
      'The app’s database is missing or was replaced since the app started, so the app stopped using it and nothing was saved. An administrator needs to restore the database and restart the app.',
      60,
    );
  }
}

// PostgreSQL cannot be reached (restarting, network): the pool connects again once it answers.
export class DatabaseUnreachableError extends UnavailableError {
  constructor() {
    super('The database cannot be reached right now. Nothing was saved: try again in a moment.', 5);
  }
}

// The driver's error code, however TypeORM wrapped the error.
export const codeOf = (error: unknown): string => {
  const { code, driverError } = (error ?? {}) as { code?: unknown; driverError?: { code?: unknown } };
  return String(driverError?.code ?? code ?? '');
};

// SQLite's "another connection holds the lock" (SQLITE_BUSY and its extended codes), however TypeORM wrapped it.
export const isSqliteBusy = (error: unknown): boolean => codeOf(error).startsWith('SQLITE_BUSY');

// PostgreSQL gone or restarting: the connection failed, was refused, or was ended by the server.
export const isConnectionFailure = (error: unknown): boolean => {
  const code = codeOf(error);
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|57P0[123]|08...)$/.test(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
    message,
  );
};
