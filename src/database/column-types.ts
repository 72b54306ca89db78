import type { ColumnOptions, ValueTransformer } from 'typeorm';

// The entities' timestamp type. TypeORM's `Date` is the one type both drivers accept and treat alike whatever the
// column is: SQLite reads and writes TypeORM's UTC text, PostgreSQL a Date. The columns themselves (datetime on
// SQLite, timestamptz on PostgreSQL) are made by the migrations, never by TypeORM (synchronize is off), so an
// entity need not know at import time which database the validated config will choose.
export const TIMESTAMP = Date;

// A bigint column read as a number (PostgreSQL's driver hands bigints back as text); its values stay well inside
// Number.MAX_SAFE_INTEGER (milliseconds, bytes).
export const BIGINT_AS_NUMBER: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};

// Binary columns are blob on SQLite and bytea on PostgreSQL, and no type name is accepted by both drivers. A binary
// column's type is therefore read when a data source builds its entities' metadata, not when the entity is
// imported: buildDataSourceOptions sets it for the database it opens (one kind of database per process).
let binaryType: 'blob' | 'bytea' = 'blob';

export function useBinaryTypeOf(database: 'sqlite' | 'postgres'): void {
  binaryType = database === 'postgres' ? 'bytea' : 'blob';
}

export const binaryColumn = (): ColumnOptions => ({
  get type() {
    return binaryType;
  },
});
