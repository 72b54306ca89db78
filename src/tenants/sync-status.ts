// What the MCA page shows of a broker's tenant sync. The sync feature sits above tenants and provides it
// (SyncModule binds SyncStatusSource to its SyncService): the page never imports sync.
export interface SyncSummary {
  running: boolean;
  startedAt: Date | null;
  progress: { processed: number; total: number | null } | null;
  lastSuccessAt: Date | null;
  lastFailure: { at: Date; message: string } | null; // only when the latest finished run failed
  // Customers of the latest finished run whose data had to be mended (the first of their ids, and how many more).
  unusual: { count: number; ids: string[]; more: number } | null;
  // Customers whose acceptance Partner Center did not give in the latest finished run: kept as known, marked.
  unread: { count: number; ids: string[]; more: number; reason: string } | null;
}

export abstract class SyncStatusSource {
  abstract summary(): Promise<SyncSummary>;
}
