import { Injectable } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';
import { TypeormSessionStore } from './typeorm-session.store';

// Expired sessions are refused on read already; this only keeps the table small.
@Injectable()
export class SessionsCleanup {
  constructor(private readonly store: TypeormSessionStore) {}

  @Cron(CronExpression.EVERY_HOUR)
  async pruneExpiredSessions(): Promise<void> {
    await this.store.pruneExpired();
  }
}
