import hbs from 'hbs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeTimestamp } from '../database/dialect';

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
  hour12: false,
});

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
    const date = decodeTimestamp(value);
    return date ? `${dateFormat.format(date)} UTC` : '';
  });
  hbs.registerHelper('isoDate', (value: unknown) => decodeTimestamp(value)?.toISOString() ?? '');
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
