import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startAppProcess, stopAppProcess, type AppProcess } from '../support/app-process';
import { caddyAvailable, freePort, startCaddy, type HttpsAnswer, type RunningCaddy } from '../support/caddy';
import { formsOf } from '../support/forms';
import { csrfTokenFrom, DEFAULT_PASSWORD } from '../support/http';
import { eventually } from '../support/jobs';
import { createTestApp } from '../support/test-app';

// README "Upgrades": two instances on one PostgreSQL database behind the shipped Caddyfile, restarted one at a time
// while a load loop runs. Needs `npm run build`, Caddy, and TEST_DATABASE_URL (npm run test:e2e:postgres).
const MAIN = join(ROOT, 'dist', 'main.js');
const onPostgres = Boolean(process.env.DATABASE_URL);
const runnable = onPostgres && caddyAvailable();
if (!runnable)
  console.warn('deploy rolling restart: needs PostgreSQL (TEST_DATABASE_URL) and caddy; skipped on this run');
const itRuns = runnable ? it : it.skip;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const healthy = async (port: number) => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined;
  } catch {
    return undefined;
  }
};

describe('A rolling restart of two instances behind Caddy', () => {
  const instances = new Map<number, AppProcess>();
  let caddy: RunningCaddy | undefined;
  afterEach(async () => {
    await caddy?.stop();
    await Promise.all([...instances.values()].map((app) => stopAppProcess(app, 'SIGKILL')));
    instances.clear();
  });

  itRuns(
    'should fail no request while each instance drains, stops and starts again',
    async () => {
      const testApp = await createTestApp();
      await testApp.close();
      const dataDir = mkdtempSync(join(tmpdir(), 'mca-rolling-'));
      const ports = [await freePort(), await freePort()];
      const start = (port: number) => {
        const app = startAppProcess(MAIN, {
          DATABASE_URL: process.env.DATABASE_URL!,
          DATA_DIR: dataDir,
          PORT: String(port),
          TRUST_PROXY: 'loopback',
          SYNC_INTERVAL_MINUTES: '0',
          // The shipped default: longer than the Caddyfile's 2 s health check interval.
          SHUTDOWN_DRAIN_MS: '3000',
        });
        instances.set(port, app);
        return eventually(() => healthy(port), 100);
      };
      await Promise.all(ports.map(start));
      caddy = await startCaddy(ports.map((port) => `127.0.0.1:${port}`));
      const proxy = caddy;

      // A signed-in admin with a report schedule to pause and resume.
      let cookie = '';
      const send = async (method: string, path: string, body?: Record<string, string>): Promise<HttpsAnswer> => {
        const answer = await proxy.send(method, path, { headers: { cookie }, body: body && form(body) });
        const set = ([] as string[]).concat(answer.headers['set-cookie'] ?? [])[0];
        if (set) cookie = set.split(';')[0];
        return answer;
      };
      const setup = await send('GET', '/setup');
      const csrf = () => csrfTokenFrom(setup.body);
      const signedUp = await send('POST', '/setup', {
        _csrf: csrf(),
        brokerName: 'Contoso Cloud',
        name: 'Ada Admin',
        email: 'ada@contoso.test',
        password: DEFAULT_PASSWORD,
      });
      expect(signedUp.status).toBe(303);
      const newSchedule = await send('GET', '/reports/schedules/new');
      const scheduleForm = formsOf(newSchedule.body, '/reports/schedules/new').find(
        (candidate) => candidate.action === '/reports/schedules',
      )!;
      const fields = Object.fromEntries(scheduleForm.fields);
      const token = fields._csrf;
      const created = await send('POST', scheduleForm.action, {
        ...fields,
        name: 'Weekly for the board',
        recipients: 'ada@contoso.test',
      });
      expect(created.status).toBe(303);
      const list = await send('GET', '/reports/schedules');
      const scheduleId = /\/reports\/schedules\/(\d+)\/pause/.exec(list.body)?.[1];
      expect(scheduleId).toBeDefined();

      // The load: four clients, each a GET of the MCA page and of the schedules, and every fourth request a POST.
      const counts = { get: 0, post: 0 };
      const failures: string[] = [];
      let running = true;
      let paused = false;
      const client = async () => {
        for (let n = 0; running; n += 1) {
          const post = n % 4 === 3;
          const path = post
            ? `/reports/schedules/${scheduleId}/${paused ? 'resume' : 'pause'}`
            : n % 2 === 0
              ? '/mca'
              : '/reports/schedules';
          if (post) paused = !paused;
          try {
            const answer = post
              ? await proxy.send('POST', path, { headers: { cookie }, body: form({ _csrf: token }) })
              : await proxy.send('GET', path, { headers: { cookie } });
            counts[post ? 'post' : 'get'] += 1;
            if (answer.status !== (post ? 303 : 200)) failures.push(`${path}: ${answer.status}`);
          } catch (error) {
            failures.push(`${path}: ${String(error)}`);
          }
        }
      };
      const began = Date.now();
      const load = Promise.all([client(), client(), client(), client()]);

      const restarts: { port: number; exit: string | null; drainedMs: number }[] = [];
      await new Promise((resolve) => setTimeout(resolve, 1000));
      for (const port of ports) {
        const app = instances.get(port)!;
        const stopping = Date.now();
        app.child.kill('SIGTERM');
        await app.exited;
        restarts.push({ port, exit: app.child.signalCode, drainedMs: Date.now() - stopping });
        await start(port);
        // Caddy checks every second: let it see the instance up before the next one stops.
        await new Promise((resolve) => setTimeout(resolve, 3000));
      }
      running = false;
      await load;
      const seconds = (Date.now() - began) / 1000;

      console.log(
        `deploy rolling restart: ${counts.get + counts.post} requests (${counts.get} GET, ${counts.post} POST) in ` +
          `${seconds.toFixed(1)} s through Caddy, ${failures.length} failed; stops: ` +
          restarts.map((r) => `:${r.port} ${r.exit} after ${r.drainedMs} ms`).join(', '),
      );
      expect(failures).toEqual([]);
      expect(counts.post).toBeGreaterThan(20);
      expect(restarts.map((r) => r.exit)).toEqual(['SIGTERM', 'SIGTERM']);
    },
    180_000,
  );
});
