import { AsyncLocalStorage } from 'node:async_hooks';
export interface CurrentUser {
  id: number;
  brokerId: number;
  brokerName: string;
  email: string;
  name: string;
  role: string; // one of auth's roles (common/ knows no feature)
}

// Who caused a change: a signed-in user, or the system (a background job, a schedule, the CLI).
export type Actor =
  { type: 'user'; id: number; label: string } | { type: 'system'; jobId: number | null; label: string };

interface RequestContext {
  user?: CurrentUser;
  brokerId?: number;
  actor?: Actor;
}

// The broker and the actor a piece of work acts for: set per request from the signed-in user, or explicitly by
// a background job. BrokerScope and the audit trail read it, so nothing needs to be handed them by hand.
export const requestContext = new AsyncLocalStorage<RequestContext>();

export const SYSTEM_ACTOR: Actor = { type: 'system', jobId: null, label: 'system' };

export function runForBroker<T>(brokerId: number, work: () => T, actor: Actor = SYSTEM_ACTOR): T {
  return requestContext.run({ brokerId, actor }, work);
}

// Work with no broker (the CLI, a job about every broker), done by the system unless an actor is given.
export function runAsSystem<T>(work: () => T, actor: Actor = SYSTEM_ACTOR): T {
  return requestContext.run({ actor }, work);
}

export function currentActor(): Actor {
  const ctx = requestContext.getStore();
  if (ctx?.actor) return ctx.actor;
  if (ctx?.user) return { type: 'user', id: ctx.user.id, label: ctx.user.email };
  return SYSTEM_ACTOR;
}

export function currentBrokerId(): number | undefined {
  const ctx = requestContext.getStore();
  return ctx?.brokerId ?? ctx?.user?.brokerId;
}
