// What the pages show of a broker's tenant sync (produced by SyncService.summary()).
export interface SyncSummary {
  running: boolean;
  startedAt: Date | null;
  progress: { processed: number; total: number | null } | null;
  lastSuccessAt: Date | null;
  lastFailure: { at: Date; message: string } | null; // only when the latest finished run failed
}
