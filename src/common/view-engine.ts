import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Response } from 'express';
import hbs from 'hbs';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { decodeTimestamp } from './timestamp';

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
  // The first value given (a form's submitted value, else what is stored), for pages with more than one form.
  hbs.registerHelper('either', (...args: unknown[]) =>
    args.slice(0, -1).find((value) => value !== undefined && value !== null),
  );
  hbs.registerHelper('formatDate', (value: unknown) => {
    const date = decodeTimestamp(value);
    return date ? `${dateFormat.format(date)} UTC` : '';
  });
  hbs.registerHelper('isoDate', (value: unknown) => decodeTimestamp(value)?.toISOString() ?? '');
}

type PageRenderer = (res: Response, view: string, options: unknown) => void;

// @Render pages are ended with the HTML as bytes: res.send would also parse and rewrite their Content-Type and
// look up the ETag setting on every page view. A render error goes where res.render's own callback sends it
// (req.next).
export function sendRenderedPagesDirectly(app: NestExpressApplication): void {
  const adapter = app.getHttpAdapter() as unknown as { render: PageRenderer };
  adapter.render = (res, view, options) => {
    // A copy: res.render() assigns this request's res.locals to the object it is given.
    const locals = options !== null && typeof options === 'object' ? { ...options } : {};
    res.render(view, locals, (err: Error | null, html: string) => {
      if (err) return res.req.next?.(err);
      if (!res.hasHeader('Content-Type')) res.setHeader('Content-Type', 'text/html; charset=utf-8');
      // Encoded once: given the string, Node would measure it for Content-Length and then copy it again behind the
      // headers, two copies of the page on the heap per view.
      const body = Buffer.from(html);
      res.setHeader('Content-Length', body.length);
      if (res.req.method === 'HEAD') res.end();
      else res.end(body);
    });
  };
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
