import type { DataSource } from 'typeorm';

// For the few reads that every request makes (its session, its user, the sync summary): TypeORM's query building
// costs several times more than these indexed lookups themselves. Everything else goes through entities.
// Values are always bound as parameters: `${value}` in the template becomes `?` (SQLite) or `$n` (PostgreSQL).
export function rawQuery<T>(dataSource: DataSource) {
  const postgres = dataSource.options.type === 'postgres';
  return (strings: TemplateStringsArray, ...values: unknown[]): Promise<T[]> => {
    const sql = strings.reduce((text, part, i) => (i === 0 ? part : `${text}${postgres ? `$${i}` : '?'}${part}`), '');
    return dataSource.query(sql, values);
  };
}

// A timestamp as the driver returns it: a Date from PostgreSQL; from SQLite, TypeORM's UTC text without a zone.
export function timestampFromRow(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(`${String(value).replace(' ', 'T')}Z`);
}
