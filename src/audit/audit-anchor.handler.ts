import { Injectable } from '@nestjs/common';
import { JobHandler } from '../jobs/job-handler';
import { AuditAnchors } from './audit-anchors.service';

export const AUDIT_ANCHOR_JOB = 'audit.anchor';
const DAILY = 86_400_000;

// Writes the signed chain heads to the log once a day (each backup carries them too).
@Injectable()
@JobHandler({ type: AUDIT_ANCHOR_JOB, recurring: { timing: { everyMs: DAILY } } })
export class AuditAnchorHandler implements JobHandler<Record<string, never>> {
  constructor(private readonly anchors: AuditAnchors) {}

  parse(): Record<string, never> {
    return {};
  }

  async handle(): Promise<void> {
    await this.anchors.writeToLog();
  }
}
