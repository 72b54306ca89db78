// What the MCA page shows of a broker's tenant sync. The sync feature sits above tenants and provides it
// (SyncModule binds SyncStatusSource to its SyncService): the page never imports sync.
export interface SyncSummary {
  running: boolean;
  startedAt: Date | null;
  progress: { processed: number; total: number | null } | null;
  lastSuccessAt: Date | null;
  lastFailure: { at: Date; message: string } | null; // only when the latest finished run failed
}

export abstract class SyncStatusSource {
  abstract summary(): Promise<SyncSummary>;
}
