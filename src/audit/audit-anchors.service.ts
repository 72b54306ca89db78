import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { signAnchor, signatureIsValid, type AuditAnchor, type ChainHead } from './audit-anchor';
import { chainIdOf } from './audit-trail.service';
import { AuditRepository, type SqliteCopy } from './audit.repository';

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
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.secret = config.secret;
  }

  private sign(heads: ChainHead[]): AuditAnchor {
    return signAnchor(this.secret, heads, this.clock.now());
  }

  async current(): Promise<AuditAnchor> {
    return this.sign(await this.repository.heads());
  }

  // The heads of a SQLite copy of the database (a backup being taken), signed.
  ofSqliteCopy(copy: SqliteCopy): AuditAnchor {
    return this.sign(this.repository.headsIn(copy));
  }

  // Kept in the database too, for the Audit trail page to show when each chain was last anchored, and where.
  async remember(anchor: AuditAnchor, writtenTo: string): Promise<void> {
    await this.repository.insertAnchor(JSON.stringify(anchor), writtenTo.slice(0, 1100), new Date(anchor.at));
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
    const row = await this.repository.latestAnchor();
    if (!row) return null;
    const anchor = JSON.parse(row.anchor) as AuditAnchor;
    const head = anchor.heads.find((candidate) => candidate.chainId === chainId);
    return head ? { at: new Date(anchor.at), seq: head.seq, hash: head.hash, writtenTo: row.writtenTo } : null;
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
      const event = await this.repository.eventAt(head.chainId, head.seq);
      if (!event) {
        const last = await this.repository.lastSeq(head.chainId);
        problems.push(
          `${chainName(head.chainId)} ends at seq ${last}, but it reached seq ${head.seq} (hash ${head.hash}) at ${anchor.at}: events were removed from its end`,
        );
      } else if (event.hash !== head.hash) {
        problems.push(
          `${chainName(head.chainId)} holds event #${event.id} at seq ${head.seq}, whose hash differs from the anchored ${head.hash}: the chain was rewritten`,
        );
      }
    }
    return problems.length === 0 ? { ok: true, heads: anchor.heads.length } : { ok: false, problems };
  }

  // `audit:verify --head <hash>`: the chain and place of the event that had this hash, or null when none has it.
  findHead(hash: string): Promise<{ chainId: number; seq: number } | null> {
    return this.repository.placeOfHash(hash);
  }
}
