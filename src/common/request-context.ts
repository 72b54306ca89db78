import { AsyncLocalStorage } from 'node:async_hooks';
import type { UserRole } from '../users/user-role';

export interface CurrentUser {
  id: number;
  brokerId: number;
  brokerName: string;
  email: string;
  name: string;
  role: UserRole;
}

interface RequestContext {
  user?: CurrentUser;
  brokerId?: number;
}

// The broker a piece of work acts for: set per request from the signed-in user, or explicitly by a background
// job. BrokerScope reads it, so no query needs to be handed the broker by hand.
export const requestContext = new AsyncLocalStorage<RequestContext>();

export function runForBroker<T>(brokerId: number, work: () => T): T {
  return requestContext.run({ brokerId }, work);
}
