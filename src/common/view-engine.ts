import hbs from 'hbs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  hour12: false,
});

const toDate = (value: unknown): Date | null => {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value;
  if (typeof value === 'string' || typeof value === 'number') {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? null : date;
  }
  return null;
};

// Partials are registered synchronously before the app listens (hbs.registerPartials is asynchronous), named
// by their path under views/partials without the extension, e.g. {{> tenants/table}}.
export function configureViewEngine(viewsDir: string): void {
  const partialsDir = join(viewsDir, 'partials');
  for (const file of walk(partialsDir)) {
    if (!file.endsWith('.hbs')) continue;
    const name = relative(partialsDir, file)
      .replace(/\\/g, '/')
      .replace(/\.hbs$/, '');
    hbs.registerPartial(name, readFileSync(file, 'utf8'));
  }
  hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hbs.registerHelper('not', (a: unknown) => !a);
  hbs.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
  hbs.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
  hbs.registerHelper('formatDate', (value: unknown) => {
    const date = toDate(value);
    return date ? `${dateFormat.format(date)} UTC` : '';
  });
  hbs.registerHelper('isoDate', (value: unknown) => toDate(value)?.toISOString() ?? '');
}

function walk(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
