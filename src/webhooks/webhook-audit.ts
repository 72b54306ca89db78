import type { Tx } from '../database/sql.service';

// The audit trail, as webhooks record their changes: audit/ stands beside webhooks/ on the same layer, so the app
// module provides it (AuditTrail) under this token.
export interface WebhookAudit {
  record(
    tx: Tx,
    event: { action: string; subject: { type: string; id: number }; data: Record<string, unknown> },
  ): Promise<unknown>;
}

export const WEBHOOK_AUDIT = Symbol('WEBHOOK_AUDIT');
