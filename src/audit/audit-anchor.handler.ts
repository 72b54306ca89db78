import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { JobHandler } from '../jobs/job-handler';
import { RecurringJobs } from '../jobs/recurring-jobs.service';
import { AuditAnchors } from './audit-anchors.service';

export const AUDIT_ANCHOR_JOB = 'audit.anchor';
const DAILY = 86_400_000;

// Writes the signed chain heads to the log once a day (each backup carries them too).
@Injectable()
export class AuditAnchorHandler implements JobHandler<Record<string, never>>, OnApplicationBootstrap {
  readonly type = AUDIT_ANCHOR_JOB;

  constructor(
    private readonly anchors: AuditAnchors,
    private readonly recurring: RecurringJobs,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.recurring.define({ name: AUDIT_ANCHOR_JOB, type: AUDIT_ANCHOR_JOB, everyMs: DAILY });
  }

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    await this.anchors.writeToLog();
  }
}
