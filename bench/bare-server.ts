import Database from 'better-sqlite3';
import { plainToInstance } from 'class-transformer';
import hbs from 'hbs';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configureViewEngine } from '../src/common/view-engine';
import { SQLITE } from '../src/database/dialect';
import { StatementCache } from '../src/database/native-sqlite';
import type { SqlReader } from '../src/database/sql.service';
import { McaQueryDto, toMcaQuery, toPageCursor } from '../src/tenants/dto/mca-query.dto';
import { loadMcaData } from '../src/tenants/mca.service';
import { mcaView } from '../src/tenants/mca-view';

// The MCA page's essential work without the framework, to measure what NestJS, the session and the middleware
// cost: the same statements (loadMcaData), the same view model and the same templates, on node:http. No sign-in,
// no session, no CSRF, no sync status.
const VIEWS_DIR = join(__dirname, '..', '..', 'views');

export function startBareServer(databaseFile: string, brokerId: number, port: number): Promise<number> {
  configureViewEngine(VIEWS_DIR);
  const compile = (view: string) => hbs.handlebars.compile(readFileSync(join(VIEWS_DIR, `${view}.hbs`), 'utf8'));
  const layout = compile('layouts/main');
  const page = compile('tenants/mca');
  // The app's own statement cache and dialect, on a read-only handle of the same file.
  const statements = new StatementCache(new Database(databaseFile, { readonly: true }));
  const reader: SqlReader = {
    dialect: SQLITE,
    run: <T>(sql: string, params: readonly unknown[]) => Promise.resolve(statements.all<T>(sql, params)),
  };
  const locals = {
    currentUser: {
      id: 1,
      brokerId,
      brokerName: 'Bench Partner',
      email: 'bench@bench.test',
      name: 'Bench Admin',
      role: 'admin',
      roleLabel: 'Admin',
      isAdmin: true,
      canOperate: true,
    },
    csrfToken: 'bench',
    path: '/mca',
    flash: [],
  };
  const sync = { running: false, startedAt: null, progress: null, lastSuccessAt: new Date(), lastFailure: null };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mca') {
      res.writeHead(404).end();
      return;
    }
    const dto = plainToInstance(McaQueryDto, Object.fromEntries(url.searchParams));
    loadMcaData(reader, brokerId, toMcaQuery(dto), toPageCursor(dto))
      .then((data) => {
        const fragment = req.headers['hx-request'] === 'true';
        const view = { ...locals, ...mcaView(data, 'admin', fragment ? null : sync), fragment };
        const body = page(view);
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', Vary: 'HX-Request' });
        res.end(fragment ? body : layout({ ...view, body }));
      })
      .catch(() => res.writeHead(500).end());
  });
  return new Promise((resolve) =>
    server.listen(port, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

if (require.main === module) {
  const [databaseFile, brokerId] = process.argv.slice(2);
  void startBareServer(databaseFile, Number(brokerId), 0).then((port) => console.log(`listening ${port}`));
}
