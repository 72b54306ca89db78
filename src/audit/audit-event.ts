// An audit event as the pages and the attestation's record show it (AuditRepository reads it).
export interface AuditEventView {
  id: number;
  action: string;
  actorLabel: string;
  actorType: string;
  subject: { type: string; id: string } | null;
  data: Record<string, unknown>;
  createdAt: Date;
  hash: string;
  prevHash: string;
}
