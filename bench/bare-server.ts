import Database from 'better-sqlite3';
import hbs from 'hbs';
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Pool } from 'pg';
import pino from 'pino';
import { decodeCursor } from '../src/api/cursor';
import { DEFAULT_LIMIT } from '../src/api/dto/list.dto';
import { TENANT_CURSOR_KEYS, tenantListJson } from '../src/api/tenants.view';
import { hashApiToken } from '../src/api-tokens/api-tokens.service';
import type { SignedInUser } from '../src/auth/decorators';
import { ROLE_LABELS } from '../src/auth/user-role';
import { configureViewEngine } from '../src/common/view-engine';
import { decodeTimestamp } from '../src/common/timestamp';
import { POSTGRES, SQLITE } from '../src/database/dialect';
import { StatementCache } from '../src/database/native-sqlite';
import { templateOf, type SqlReader } from '../src/database/sql.service';
import { SESSION_COOKIE } from '../src/sessions/session-cookie';
import { readSyncSummary } from '../src/sync/sync-summary';
import {
  DEFAULT_DIRECTION,
  parseDirParam,
  parseMcaQuery,
  parseSearchParam,
  parseSortParam,
  parseStatusParam,
} from '../src/tenants/mca-query';
import { loadMcaData } from '../src/tenants/mca.service';
import { mcaView } from '../src/tenants/mca-view';
import { TenantListReads } from '../src/tenants/tenants.repository';
import { readSessionUser } from '../src/users/users.repository';

// The MCA page without the framework, to measure what NestJS and the middleware cost: node:http doing the reads a
// signed-in page needs (the session row by its signed cookie, the user and broker row, the sync summary through
// the app's readSyncSummary, the page's statements through loadMcaData and so the app's statement builders), the same
// view model and templates, and a JSON log line per request as pino-http writes at the app's default level.
// It also answers the API's tenant list (GET /api/v1/tenants with a bearer token) the same way.
// What it leaves out: helmet's headers, the session's rolling expiry (the app writes it at most once a minute),
// flash messages, the express router and Nest (the query string is read by the app's own parseMcaQuery).
//
// Environment: BARE_DATABASE (a SQLite file, or a postgres:// URL), PORT, APP_SECRET (to check the cookie's
// signature, as express-session does), LOG_LEVEL (info, as the app's default).
const VIEWS_DIR = join(__dirname, '..', '..', 'views');
// The app's pool size on PostgreSQL (buildDataSourceOptions: extra.max).
const POSTGRES_POOL_SIZE = 10;
const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

interface SessionData {
  csrfToken?: string;
  passport?: { user?: number };
}

// A reader of the database with the app's SqlReader surface, which the page's reads take.
function openReader(database: string): SqlReader {
  if (/^postgres(ql)?:/.test(database)) {
    const pool = new Pool({ connectionString: database, max: POSTGRES_POOL_SIZE });
    const run = async <T>(sql: string, params: readonly unknown[]) =>
      (await pool.query(sql, params as unknown[])).rows as T[];
    return { dialect: POSTGRES, run };
  }
  const db = new Database(database);
  db.pragma('busy_timeout = 5000');
  const statements = new StatementCache(db);
  const run = <T>(sql: string, params: readonly unknown[]) => Promise.resolve(statements.all<T>(sql, params));
  return { dialect: SQLITE, run };
}

// express-session's cookie: "s:" + id + "." + base64 HMAC-SHA256 of the id (cookie-signature), URI-encoded.
function sessionId(cookieHeader: string | undefined, secret: string): string | null {
  const raw = cookieHeader
    ?.split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${SESSION_COOKIE}=`));
  if (!raw) return null;
  const value = decodeURIComponent(raw.slice(SESSION_COOKIE.length + 1));
  if (!value.startsWith('s:')) return null;
  const dot = value.lastIndexOf('.');
  const id = value.slice(2, dot);
  const expected = Buffer.from(createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, ''));
  const given = Buffer.from(value.slice(dot + 1));
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}

export function startBareServer(database: string, port: number, secret: string): Promise<number> {
  configureViewEngine(VIEWS_DIR);
  const template = (view: string) => hbs.handlebars.compile(readFileSync(join(VIEWS_DIR, `${view}.hbs`), 'utf8'));
  const layout = template('layouts/main');
  const page = template('tenants/mca');
  const reader = openReader(database);
  const sqlOf = templateOf(reader);
  const tenants = new TenantListReads(reader);
  const logger = pino({ level: process.env.LOG_LEVEL || 'info' });
  async function respond(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    const sid = sessionId(req.headers.cookie, secret);
    const [session] = sid
      ? await sqlOf<{
          data: string;
          expires_at: unknown;
        }>`SELECT data, expires_at FROM sessions WHERE id = ${sid}`
      : [];
    const expiresAt = decodeTimestamp(session?.expires_at);
    const data =
      session && expiresAt && expiresAt.getTime() > Date.now() ? (JSON.parse(session.data) as SessionData) : null;
    const userId = data?.passport?.user;
    // The app's own lookup of the session's user.
    const user = typeof userId === 'number' ? ((await readSessionUser(reader, userId)) as SignedInUser | null) : null;
    if (!user) {
      res.writeHead(303, { Location: '/login' }).end();
      return 303;
    }
    const fragment = req.headers['hx-request'] === 'true';
    const { query, cursor } = parseMcaQuery(Object.fromEntries(url.searchParams));
    const mca = await loadMcaData(tenants, user.brokerId, query, cursor);
    const sync = fragment ? null : await readSyncSummary(reader, user.brokerId);
    const view = {
      currentUser: {
        ...user,
        roleLabel: ROLE_LABELS[user.role],
        isAdmin: user.role === 'admin',
        canOperate: user.role !== 'viewer',
      },
      csrfToken: data?.csrfToken ?? '',
      path: url.pathname,
      flash: [],
      ...mcaView(mca, user.role, sync, new Date()),
      reportsUrl: '/reports',
      fragment,
      withSummary: false,
    };
    const body = page(view);
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      Vary: 'HX-Request',
      'Cache-Control': 'no-store',
    });
    res.end(fragment ? body : layout({ ...view, body }));
    return 200;
  }

  // The API's tenant list: the token by its hash (as ApiTokensService.authenticate), the same reads and the same JSON.
  async function respondApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<number> {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const [row] = token
      ? await sqlOf<{
          broker_id: number | string;
          revoked_at: unknown;
          expires_at: unknown;
        }>`SELECT broker_id, revoked_at, expires_at FROM api_tokens WHERE token_hash = ${hashApiToken(token)}`
      : [];
    const expiresAt = decodeTimestamp(row?.expires_at);
    if (!row || row.revoked_at !== null || (expiresAt && expiresAt.getTime() <= Date.now())) {
      res.writeHead(401, { 'Content-Type': 'application/problem+json' }).end('{}');
      return 401;
    }
    const params = Object.fromEntries(url.searchParams);
    const sort = parseSortParam(params.sort);
    const position = params.cursor ? decodeCursor(params.cursor, TENANT_CURSOR_KEYS) : null;
    const query = {
      status: parseStatusParam(params.status),
      q: parseSearchParam(params.q),
      sort,
      dir: parseDirParam(params.dir) ?? DEFAULT_DIRECTION[sort],
      page: position?.page ?? 1,
      size: params.limit ? Number(params.limit) : DEFAULT_LIMIT,
    };
    const cursor = position ? { direction: 'after' as const, id: position.after } : null;
    const mca = await loadMcaData(tenants, Number(row.broker_id), query, cursor);
    res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(tenantListJson(mca, query.page)));
    return 200;
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const started = performance.now();
    const incoming = req.headers['x-request-id'];
    const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', id);
    const handled =
      url.pathname === '/mca'
        ? respond(req, res, url)
        : url.pathname === '/api/v1/tenants'
          ? respondApi(req, res, url)
          : Promise.resolve(void res.writeHead(404).end()).then(() => 404);
    void handled
      .catch((error: unknown) => {
        logger.error({ err: error }, 'bare server error');
        res.writeHead(500).end();
        return 500;
      })
      .then((statusCode) =>
        // The line pino-http writes when a response completes.
        logger.info(
          {
            req: { id, method: req.method, url: req.url },
            res: { statusCode },
            responseTime: Math.round(performance.now() - started),
          },
          'request completed',
        ),
      );
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

if (require.main === module) {
  const database = process.env.BARE_DATABASE;
  const secret = process.env.APP_SECRET;
  if (!database || !secret) throw new Error('BARE_DATABASE and APP_SECRET must be set');
  void startBareServer(database, Number(process.env.PORT ?? 0), secret).then((port) =>
    process.stderr.write(`bare server listening on ${port}\n`),
  );
}
