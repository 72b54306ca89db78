import type { AuditEventRow } from '../../src/audit/audit.repository';
import { SqlService } from '../../src/database/sql.service';
import type { TestApp } from './test-app';

// A stored event as the tests read it (its time is not compared).
export type StoredAuditEvent = Omit<AuditEventRow, 'created_at'>;

export async function auditEvents(testApp: TestApp, action?: string): Promise<StoredAuditEvent[]> {
  const sql = testApp.app.get(SqlService);
  const rows = action
    ? await sql.query<StoredAuditEvent>`SELECT * FROM audit_events WHERE action = ${action} ORDER BY id`
    : await sql.query<StoredAuditEvent>`SELECT * FROM audit_events ORDER BY id`;
  return rows.map((row) => ({
    ...row,
    id: Number(row.id),
    chain_id: Number(row.chain_id),
    seq: Number(row.seq),
    broker_id: row.broker_id === null ? null : Number(row.broker_id),
    actor_id: row.actor_id === null ? null : Number(row.actor_id),
  }));
}

// What someone with write access to the database could do: switch off the append-only triggers and edit a row.
export async function tamperWithAuditEvents(testApp: TestApp, statement: string, params: unknown[]): Promise<void> {
  const sql = testApp.app.get(SqlService);
  await sql.transaction(async (tx) => {
    if (tx.dialect.name === 'postgres') {
      await tx.run('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only', []);
      await tx.run(statement, params);
      await tx.run('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only', []);
    } else {
      await tx.run('DROP TRIGGER audit_events_no_update', []);
      await tx.run('DROP TRIGGER audit_events_no_delete', []);
      await tx.run(statement, params);
    }
  });
}
