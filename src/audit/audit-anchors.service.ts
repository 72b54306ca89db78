import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { signAnchor, signatureIsValid, type AuditAnchor, type ChainHead } from './audit-anchor';
import { chainIdOf } from './audit-trail.service';

export interface LatestAnchor {
  at: Date;
  seq: number;
  hash: string;
  writtenTo: string;
}

export type AnchorCheck = { ok: true; heads: number } | { ok: false; problems: string[] };

export const chainName = (chainId: number): string =>
  chainId === 0 ? 'the chain of events without a broker' : `the chain of broker ${chainId}`;

// Reads, signs and checks the audit chains' heads. An anchor written out of the database (the log daily, each
// backup) proves later that no event up to its heads was removed: `audit:verify --heads` checks each chain still
// holds the anchored event at its place.
@Injectable()
export class AuditAnchors {
  private readonly logger = new Logger('AuditAnchors');
  private readonly secret: string;

  constructor(
    private readonly sql: SqlService,
    config: ConfigService,
  ) {
    this.secret = config.getOrThrow<AppConfig>('app').secret;
  }

  sign(heads: ChainHead[], at = new Date()): AuditAnchor {
    return signAnchor(this.secret, heads, at);
  }

  async current(): Promise<AuditAnchor> {
    const rows = await this.sql.query<{ chain_id: number | string; seq: number | string; hash: string }>`
      SELECT chain_id, seq, hash FROM audit_chain_heads ORDER BY chain_id`;
    return this.sign(rows.map((row) => ({ chainId: Number(row.chain_id), seq: Number(row.seq), hash: row.hash })));
  }

  // Kept in the database too, for the Audit trail page to show when each chain was last anchored, and where.
  async remember(anchor: AuditAnchor, writtenTo: string): Promise<void> {
    await this.sql.transaction(
      (tx) => tx.query`INSERT INTO audit_anchors (anchor, written_to, created_at)
        VALUES (${JSON.stringify(anchor)}, ${writtenTo.slice(0, 1100)}, ${tx.dialect.encodeTimestamp(new Date(anchor.at))})`,
    );
  }

  // The daily anchor: one structured log line (`auditAnchor`), which a log store keeps out of the app's reach.
  async writeToLog(): Promise<AuditAnchor> {
    const anchor = await this.current();
    this.logger.log({ msg: 'Audit chain heads, signed', auditAnchor: anchor });
    await this.remember(anchor, 'the log');
    return anchor;
  }

  async latestFor(brokerId: number): Promise<LatestAnchor | null> {
    const chainId = chainIdOf(brokerId);
    const [row] = await this.sql.run<{ anchor: string; written_to: string }>(
      'SELECT anchor, written_to FROM audit_anchors ORDER BY id DESC LIMIT 1',
      [],
    );
    if (!row) return null;
    const anchor = JSON.parse(row.anchor) as AuditAnchor;
    const head = anchor.heads.find((candidate) => candidate.chainId === chainId);
    return head ? { at: new Date(anchor.at), seq: head.seq, hash: head.hash, writtenTo: row.written_to } : null;
  }

  // Whether the anchor was signed by this installation and every chain still holds each anchored event at its place.
  async check(anchor: AuditAnchor): Promise<AnchorCheck> {
    if (!signatureIsValid(this.secret, anchor))
      return {
        ok: false,
        problems: [
          "the heads are not signed with this installation's APP_SECRET: they were changed, or come from another installation",
        ],
      };
    const problems: string[] = [];
    for (const head of anchor.heads) {
      if (head.seq === 0) continue;
      const [event] = await this.sql.query<{ id: number | string; hash: string }>`
        SELECT id, hash FROM audit_events WHERE chain_id = ${head.chainId} AND seq = ${head.seq}`;
      if (!event) {
        const [last] = await this.sql.query<{ seq: number | string | null }>`
          SELECT MAX(seq) AS seq FROM audit_events WHERE chain_id = ${head.chainId}`;
        problems.push(
          `${chainName(head.chainId)} ends at seq ${Number(last?.seq ?? 0)}, but it reached seq ${head.seq} (hash ${head.hash}) at ${anchor.at}: events were removed from its end`,
        );
      } else if (event.hash !== head.hash) {
        problems.push(
          `${chainName(head.chainId)} holds event #${Number(event.id)} at seq ${head.seq}, whose hash differs from the anchored ${head.hash}: the chain was rewritten`,
        );
      }
    }
    return problems.length === 0 ? { ok: true, heads: anchor.heads.length } : { ok: false, problems };
  }

  // `audit:verify --head <hash>`: the chain and place of the event that had this hash, or null when none has it.
  async findHead(hash: string): Promise<{ chainId: number; seq: number } | null> {
    const [event] = await this.sql.query<{ chain_id: number | string; seq: number | string }>`
      SELECT chain_id, seq FROM audit_events WHERE hash = ${hash}`;
    return event ? { chainId: Number(event.chain_id), seq: Number(event.seq) } : null;
  }
}
