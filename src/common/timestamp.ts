// A timestamp as a driver returns it (a Date from PostgreSQL; TypeORM's UTC text without a zone from SQLite), or as
// a view model holds it; null for anything that is not a valid instant. The same on both databases, so it lives
// below the database for code without a SqlService (the view engine); each dialect decodes with it.
export const decodeTimestamp = (value: unknown): Date | null => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  let date: Date;
  if (typeof value === 'number') date = new Date(value);
  else if (typeof value === 'string') {
    // An ISO string with a zone is read as it says; without one it is UTC (TypeORM's SQLite format).
    date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
  } else return null;
  return Number.isNaN(date.getTime()) ? null : date;
};
