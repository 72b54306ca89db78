import { decodeTimestamp } from '../common/timestamp';
import { codeOf } from './database-errors';

// What differs between the two databases, in one object: placeholders, NULL ordering, case-insensitive search,
// row locks, how a duplicate key is reported, and how timestamps travel (PostgreSQL gives Dates; TypeORM writes
// SQLite datetimes as UTC text without a zone).
export type DialectName = 'sqlite' | 'postgres';

export interface Dialect {
  readonly name: DialectName;
  placeholder(index: number): string; // 1-based
  // `expr` ordered with NULLs after every value whatever the direction.
  orderNullsLast(expr: string, direction: 'ASC' | 'DESC'): string;
  // Case-insensitive "contains"; the pattern comes from `containsPattern`.
  ilike(expr: string, placeholder: string): string;
  encodeTimestamp(value: Date): Date | string;
  decodeTimestamp(value: unknown): Date | null;
  // Appended to a SELECT inside a transaction: locks the rows it reads until the transaction ends (PostgreSQL; on
  // SQLite the write transaction already holds the whole database, so nothing is appended). `skipLocked` passes over
  // rows that another transaction holds, for claiming work.
  forUpdate(options?: { skipLocked?: boolean }): string;
  // The error is a unique constraint's refusal (a second row with the same key).
  isUniqueViolation(error: unknown): boolean;
}

// `%`, `_` and the escape character itself are matched literally.
export const containsPattern = (term: string): string => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export const SQLITE: Dialect = {
  name: 'sqlite',
  placeholder: () => '?',
  orderNullsLast: (expr, direction) => `${expr} IS NULL, ${expr} ${direction}`,
  ilike: (expr, placeholder) => `${expr} LIKE ${placeholder} ESCAPE '\\'`,
  encodeTimestamp: (value) => value.toISOString().replace('T', ' ').replace('Z', ''),
  decodeTimestamp,
  forUpdate: () => '',
  isUniqueViolation: (error) => /^SQLITE_CONSTRAINT_(UNIQUE|PRIMARYKEY)$/.test(codeOf(error)),
};

export const POSTGRES: Dialect = {
  name: 'postgres',
  placeholder: (index) => `$${index}`,
  orderNullsLast: (expr, direction) => `${expr} ${direction} NULLS LAST`,
  ilike: (expr, placeholder) => `${expr} ILIKE ${placeholder} ESCAPE '\\'`,
  encodeTimestamp: (value) => value,
  decodeTimestamp,
  forUpdate: (options) => (options?.skipLocked ? ' FOR UPDATE SKIP LOCKED' : ' FOR UPDATE'),
  isUniqueViolation: (error) => codeOf(error) === '23505',
};
