import { Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { ShutdownState } from '../common/shutdown-state';
import type { InstallationCheck } from '../database/installation-check.service';
import type { JobWorker } from '../jobs/job-worker.service';
import { HealthService } from './health.service';

describe(HealthService.name, () => {
  const pass = { ok: true, detail: 'fine' };
  let database = pass;
  const installation = {
    readiness: async () => ({ database, installation: pass, migrations: pass }),
  } as unknown as InstallationCheck;
  const worker = {
    liveness: () => ({ enabled: false, running: false, lastPollAt: null, pollMs: 1000 }),
  } as unknown as JobWorker;
  const clock = new Clock();
  const health = new HealthService(installation, worker, new ShutdownState(clock), clock);
  afterEach(() => jest.restoreAllMocks());

  it('should log a change of readiness once, with the failing checks, and once when ready again', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    expect((await health.readiness()).status).toBe('ready');
    database = { ok: false, detail: 'The database file was deleted' };
    for (let probe = 0; probe < 3; probe++) expect((await health.readiness()).status).toBe('unavailable');
    expect(warn.mock.calls).toEqual([['Not ready: database: The database file was deleted']]);
    database = pass;
    await health.readiness();
    await health.readiness();
    expect(log.mock.calls).toEqual([['Ready again']]);
  });
});
