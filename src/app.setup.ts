import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RequestHandler } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { dirname, join } from 'node:path';
import passport from 'passport';
import { publishOpenApiDocument } from './api/openapi';
import { Clock } from './common/clock';
import { CSP_DIRECTIVES } from './common/content-security-policy';
import { isApiRequest } from './common/problem-details';
import { configureViewEngine, sendRenderedPagesDirectly } from './common/view-engine';
import { appConfig, type AppConfig } from './config/app.config';
import { SESSION_COOKIE } from './sessions/session-cookie';
import { renewSession, saveBeforeRedirect } from './sessions/session-renewal';
import { TOUCH_INTERVAL_MS, TypeormSessionStore } from './sessions/typeorm-session.store';

export const PROJECT_ROOT = join(__dirname, '..');
const VIEWS_DIR = join(PROJECT_ROOT, 'views');

const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));

function parseTrustProxy(value: string | undefined): boolean | number | string {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  return /^\d+$/.test(value) ? Number(value) : value;
}

// The one bootstrap, shared by main.ts and the tests, so that tests run the app exactly as it ships.
export function configureApp(app: NestExpressApplication): NestExpressApplication {
  const config = app.get<AppConfig>(appConfig.KEY);
  app.useLogger(app.get(Logger));
  app.set('trust proxy', parseTrustProxy(config.trustProxy));
  app.disable('x-powered-by');
  // Pages are per user and marked no-store: an ETag would hash every body for a cache that may not keep it.
  // (Static files get theirs from serve-static, which does not read this setting.)
  app.set('etag', false);

  app.use(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
      strictTransportSecurity: Boolean(config.trustProxy) || Boolean(config.publicUrl?.startsWith('https:')),
    }),
  );

  // Mounted under their own prefixes: a static handler in front of every route would look for each page on disk.
  for (const folder of ['css', 'js', 'img'])
    app.useStaticAssets(join(PROJECT_ROOT, 'public', folder), { prefix: `/${folder}/`, maxAge: '1h' });
  app.useStaticAssets(join(packageDir('htmx.org'), 'dist'), { prefix: '/vendor/htmx/', maxAge: '1d' });
  app.useStaticAssets(join(packageDir('@picocss/pico'), 'css'), { prefix: '/vendor/pico/', maxAge: '1d' });

  app.setBaseViewsDir(VIEWS_DIR);
  app.setViewEngine('hbs');
  configureViewEngine(VIEWS_DIR);
  app.set('view options', { layout: 'layouts/main' });
  app.set('view cache', true);
  sendRenderedPagesDirectly(app);

  // The API reads no session: a browser's cookie must never authenticate a call (CSRF then cannot apply to it).
  const unlessApi =
    (middleware: RequestHandler): RequestHandler =>
    (req, res, next) =>
      isApiRequest(req) ? next() : middleware(req, res, next);
  app.use(
    unlessApi(
      session({
        name: SESSION_COOKIE,
        secret: config.secret,
        store: app.get(TypeormSessionStore),
        resave: false,
        saveUninitialized: false,
        // Not rolling on every request: renewSession moves the expiry (and sends the cookie) once a minute at most.
        rolling: false,
        cookie: { httpOnly: true, sameSite: 'lax', secure: 'auto', maxAge: config.sessionIdleMinutes * 60_000 },
      }),
    ),
  );
  app.use(unlessApi(renewSession(TOUCH_INTERVAL_MS, app.get(Clock))));
  app.use(unlessApi(saveBeforeRedirect()));
  // No compat: its per-request `req._passport` is only for strategies written for passport 0.4.
  app.use(passport.initialize({ compat: false }));
  app.use(unlessApi(passport.session()));
  publishOpenApiDocument(app);
  return app;
}
