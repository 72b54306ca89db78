// The entities' timestamp type. TypeORM's `Date` is the one type both drivers accept and treat alike whatever the
// column is: SQLite reads and writes TypeORM's UTC text, PostgreSQL a Date. The columns themselves (datetime on
// SQLite, timestamptz on PostgreSQL) are made by the migrations, never by TypeORM (synchronize is off), so an
// entity need not know at import time which database the validated config will choose.
export const TIMESTAMP = Date;
