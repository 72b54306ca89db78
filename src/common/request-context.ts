import { AsyncLocalStorage } from 'node:async_hooks';
export interface CurrentUser {
  id: number;
  brokerId: number;
  brokerName: string;
  email: string;
  name: string;
  role: string; // one of auth's roles (common/ knows no feature)
}

// Who caused a change: a signed-in user, an API token (an integrator's system), or the system (a background job, a
// schedule, the CLI).
export type Actor =
  | { type: 'user'; id: number; label: string }
  | { type: 'token'; id: number; label: string }
  | { type: 'system'; jobId: number | null; label: string };

interface RequestContext {
  brokerId?: number;
  actor: Actor;
}

// The broker and the actor a piece of work acts for. Set only by the three functions below (a request from its
// signed-in user, a job or a command from what it runs for); BrokerScope and the audit trail read it, so nothing
// needs to be handed them by hand.
const requestContext = new AsyncLocalStorage<RequestContext>();

export const SYSTEM_ACTOR: Actor = { type: 'system', jobId: null, label: 'system' };

// A request, as its signed-in user (or, signed out, as the system with no broker).
export function runForUser<T>(user: CurrentUser | undefined, work: () => T): T {
  if (!user) return runAsSystem(work);
  return requestContext.run({ brokerId: user.brokerId, actor: { type: 'user', id: user.id, label: user.email } }, work);
}

export function runForBroker<T>(brokerId: number, work: () => T, actor: Actor = SYSTEM_ACTOR): T {
  return requestContext.run({ brokerId, actor }, work);
}

// Work with no broker (the CLI, a job about every broker), done by the system unless an actor is given.
export function runAsSystem<T>(work: () => T, actor: Actor = SYSTEM_ACTOR): T {
  return requestContext.run({ actor }, work);
}

export function currentActor(): Actor {
  return requestContext.getStore()?.actor ?? SYSTEM_ACTOR;
}

export function currentBrokerId(): number | undefined {
  return requestContext.getStore()?.brokerId;
}
