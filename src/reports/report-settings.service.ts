import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { ValidationFailedError } from '../common/domain-errors';
import { SqlService, type Tx } from '../database/sql.service';
import { UsersRepository } from '../users/users.repository';
import { checkDomainList, domainsFromText, type RecipientPolicy } from './report-recipients';

// A broker's report settings: the domains, besides each requester's own address, that reports may be mailed to.
@Injectable()
export class ReportSettingsService {
  constructor(
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
    private readonly scope: BrokerScope,
    private readonly users: UsersRepository,
  ) {}

  // Read in the caller's transaction when there is one (a job deciding whom it sends to).
  async recipientDomains(brokerId = this.scope.brokerId(), reader: Pick<Tx, 'query'> = this.sql): Promise<string[]> {
    const [row] = await reader.query<{ recipient_domains: string }>`
      SELECT recipient_domains FROM report_settings WHERE broker_id = ${brokerId}`;
    return domainsFromText(row?.recipient_domains ?? '');
  }

  // Whom a report of `ownerId` (its requester, or its schedule's owner) may go to, as the settings are now.
  async recipientPolicy(
    ownerId: number | null,
    brokerId = this.scope.brokerId(),
    reader: Pick<Tx, 'query'> = this.sql,
  ): Promise<RecipientPolicy> {
    const owner = ownerId === null ? null : await this.users.summaryInBroker(ownerId, brokerId, reader);
    return { own: owner?.email.toLowerCase() ?? null, domains: await this.recipientDomains(brokerId, reader) };
  }

  async saveRecipientDomains(raw: unknown): Promise<string[]> {
    const checked = checkDomainList(raw);
    if ('error' in checked) throw new ValidationFailedError({ recipientDomains: checked.error });
    const brokerId = this.scope.brokerId();
    return this.sql.transaction(async (tx) => {
      const before = await this.recipientDomains(brokerId, tx);
      if (before.join('\n') === checked.domains.join('\n')) return checked.domains;
      const text = checked.domains.join('\n');
      const now = tx.dialect.encodeTimestamp(new Date());
      await tx.query`
        INSERT INTO report_settings (broker_id, recipient_domains, updated_at) VALUES (${brokerId}, ${text}, ${now})
        ON CONFLICT (broker_id) DO UPDATE SET recipient_domains = ${text}, updated_at = ${now}`;
      await this.audit.record(tx, {
        action: 'report.recipient_domains_saved',
        subject: { type: 'broker', id: brokerId },
        data: { domains: checked.domains, before },
      });
      return checked.domains;
    });
  }
}
