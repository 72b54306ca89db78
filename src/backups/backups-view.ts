import { basename } from 'node:path';
import type { BackupRunView, BackupSettings } from './backup-settings.service';

const STATE_LABELS: Record<BackupRunView['state'], string> = {
  running: 'Running',
  succeeded: 'Done',
  failed: 'Failed',
};

export function sizeText(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function durationText(ms: number): string {
  return ms < 1000 ? `${ms} ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

export function backupsView(settings: BackupSettings, runs: BackupRunView[], nextRunAt: Date | null) {
  // Not `settings`: Express hands its own settings to the view engine under that name.
  return {
    enabled: settings.enabled,
    values: { ...settings, keep: String(settings.keep) },
    nextRunAt: settings.enabled ? nextRunAt : null,
    runs: runs.map((run) => ({
      id: run.id,
      startedAt: run.startedAt,
      trigger: run.trigger === 'scheduled' ? 'Scheduled' : 'Command line',
      name: basename(run.file),
      file: run.file,
      state: run.state,
      stateLabel: STATE_LABELS[run.state],
      size: run.bytes === null ? null : sizeText(run.bytes),
      duration: run.durationMs === null ? null : durationText(run.durationMs),
      error: run.error,
    })),
  };
}
