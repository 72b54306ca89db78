import type { NextFunction, Request, Response } from 'express';
import { Clock } from '../common/clock';
import { renewSession } from './session-renewal';

const idleMs = 30 * 60_000;
const NOW = Date.UTC(2026, 0, 5, 9, 0);
const clock = new (class extends Clock {
  override nowMs(): number {
    return NOW;
  }
})();

// A request whose session was last stored to expire `ago` ms before a fresh one would.
function requestWithSession(ago: number): Request {
  const session = { cookie: { expires: new Date(NOW + idleMs - ago), originalMaxAge: idleMs } };
  return { session } as unknown as Request;
}

function run(req: Request): void {
  const next = jest.fn() as NextFunction;
  renewSession(60_000, clock)(req, {} as Response, next);
  expect(next).toHaveBeenCalledWith();
}

describe(renewSession.name, () => {
  it('should leave a session alone when its expiry would move by less than the interval', () => {
    const req = requestWithSession(30_000);
    run(req);
    expect(req.session.renewedAt).toBeUndefined();
  });

  it('should mark a session changed (so it is saved and its cookie sent) when the interval has passed', () => {
    const req = requestWithSession(61_000);
    run(req);
    expect(req.session.renewedAt).toBe(NOW);
  });

  it('should pass requests without a session or without an expiry through', () => {
    run({} as Request);
    const req = { session: { cookie: { expires: null, originalMaxAge: null } } } as unknown as Request;
    run(req);
    expect(req.session.renewedAt).toBeUndefined();
  });
});
