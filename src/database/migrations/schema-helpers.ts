import type { QueryRunner, TableColumnOptions } from 'typeorm';

// Driver-neutral column builders for migrations, so that one migration serves SQLite and PostgreSQL.
export const isPostgres = (queryRunner: QueryRunner): boolean => queryRunner.connection.options.type === 'postgres';

export const idColumn = (): TableColumnOptions => ({
  name: 'id',
  type: 'integer',
  isPrimary: true,
  isGenerated: true,
  generationStrategy: 'increment',
});

export const timestampColumn = (
  queryRunner: QueryRunner,
  name: string,
  options: { nullable?: boolean; defaultNow?: boolean } = {},
): TableColumnOptions => ({
  name,
  type: isPostgres(queryRunner) ? 'timestamptz' : 'datetime',
  isNullable: options.nullable ?? false,
  default: options.defaultNow ? (isPostgres(queryRunner) ? 'now()' : "(datetime('now'))") : undefined,
});
