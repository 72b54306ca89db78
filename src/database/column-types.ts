// Column types that differ by driver. The driver is fixed for the life of the process (DATABASE_URL), so
// entities read it once at import time.
export const usesPostgres = (): boolean => Boolean(process.env.DATABASE_URL);
export const TIMESTAMP = usesPostgres() ? 'timestamptz' : 'datetime';
