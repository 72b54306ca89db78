import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppInstance } from '../common/app-instance';
import { Clock } from '../common/clock';
import { decodeTimestamp } from '../common/timestamp';
import { SqlService } from '../database/sql.service';
import { BackupsRepository, type InstanceRow } from './backups.repository';

export const HEARTBEAT_MS = 10_000;
// Three missed heartbeats: an instance that was killed (no goodbye) stops counting after this long.
export const PRESENCE_TIMEOUT_MS = 30_000;
// The row of an instance not seen for this long (a killed one) is cleared by whichever instance is alive.
const FORGET_AFTER_MS = 86_400_000;

// The instances whose heartbeat is recent, in words, for a refusal ("web-1 (pid 4242), seen 3 s ago").
export function liveInstances(rows: InstanceRow[], now: Date): string[] {
  return rows.flatMap((row) => {
    const seen = decodeTimestamp(row.seen_at);
    if (!seen || now.getTime() - seen.getTime() > PRESENCE_TIMEOUT_MS) return [];
    return [
      `${row.host} (pid ${Number(row.pid)}), seen ${Math.max(0, Math.round((now.getTime() - seen.getTime()) / 1000))} s ago`,
    ];
  });
}

// Each running instance keeps a row in app_instances with a heartbeat, on SQLite and PostgreSQL alike, so that
// `restore` (and anything else that must not run beside the app) can tell the database is in use. The row goes
// when the instance stops; a killed instance's row goes stale.
@Injectable()
export class InstancePresence implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(InstancePresence.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly sql: SqlService,
    private readonly backups: BackupsRepository,
    private readonly instance: AppInstance,
    private readonly clock: Clock,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.sql.transaction((tx) => this.backups.addInstance(tx, this.instance, this.clock.now()));
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A goodbye that cannot be said (the database is gone or busy) must not stop the shutdown: the row goes stale.
    await this.sql
      .transaction((tx) => this.backups.removeInstance(tx, this.instance.id))
      .catch((error: unknown) => this.logger.warn(`Leaving: ${String(error)}`));
  }

  private async beat(): Promise<void> {
    try {
      const now = this.clock.now();
      const forgetBefore = new Date(now.getTime() - FORGET_AFTER_MS);
      await this.sql.transaction((tx) => this.backups.beat(tx, this.instance.id, now, forgetBefore));
    } catch (error) {
      this.logger.warn(`Heartbeat: ${String(error)}`);
    }
  }
}
