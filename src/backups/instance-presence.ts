import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { decodeTimestamp } from '../common/timestamp';
import { SqlService } from '../database/sql.service';

export const HEARTBEAT_MS = 10_000;
// Three missed heartbeats: an instance that was killed (no goodbye) stops counting after this long.
export const PRESENCE_TIMEOUT_MS = 30_000;

export interface InstanceRow {
  id: string;
  host: string;
  pid: number | string;
  seen_at: unknown;
}

// The instances whose heartbeat is recent, in words, for a refusal ("web-1 (pid 4242), seen 3 s ago").
export function liveInstances(rows: InstanceRow[], now = new Date()): string[] {
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
  private readonly id = `${hostname().slice(0, 60)}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly sql: SqlService) {}

  async onApplicationBootstrap(): Promise<void> {
    const now = this.sql.dialect.encodeTimestamp(new Date());
    await this.sql.transaction(
      (tx) => tx.query`INSERT INTO app_instances (id, host, pid, started_at, seen_at)
        VALUES (${this.id}, ${hostname().slice(0, 255)}, ${process.pid}, ${now}, ${now})`,
    );
    this.timer = setInterval(() => void this.beat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    // A goodbye that cannot be said (the database is gone or busy) must not stop the shutdown: the row goes stale.
    await this.sql
      .transaction((tx) => tx.query`DELETE FROM app_instances WHERE id = ${this.id}`)
      .catch((error: unknown) => this.logger.warn(`Leaving: ${String(error)}`));
  }

  private async beat(): Promise<void> {
    try {
      const now = new Date();
      await this.sql.transaction(async (tx) => {
        await tx.query`UPDATE app_instances SET seen_at = ${tx.dialect.encodeTimestamp(now)} WHERE id = ${this.id}`;
        // Rows of instances long gone (killed) are cleared by whichever instance is alive.
        await tx.query`DELETE FROM app_instances WHERE seen_at < ${tx.dialect.encodeTimestamp(new Date(now.getTime() - 86_400_000))}`;
      });
    } catch (error) {
      this.logger.warn(`Heartbeat: ${String(error)}`);
    }
  }
}
