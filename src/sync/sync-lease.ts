// A running sync proves it is alive by moving its heartbeat; one silent for longer than this is taken over.
export const HEARTBEAT_INTERVAL_MS = 20_000;
export const LEASE_EXPIRY_MS = 3 * 60_000;

export const leaseExpiredBefore = (now: Date): Date => new Date(now.getTime() - LEASE_EXPIRY_MS);
