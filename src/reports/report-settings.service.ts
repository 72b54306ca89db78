import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { ValidationFailedError } from '../common/domain-errors';
import { SqlService } from '../database/sql.service';
import { UsersRepository } from '../users/users.repository';
import { checkDomainList, domainsFromText, type RecipientPolicy } from './report-recipients';
import { ReportsRepository } from './reports.repository';

// A broker's report settings: the domains, besides each requester's own address, that reports may be mailed to.
@Injectable()
export class ReportSettingsService {
  constructor(
    private readonly sql: SqlService,
    private readonly reports: ReportsRepository,
    private readonly audit: AuditTrail,
    private readonly scope: BrokerScope,
    private readonly users: UsersRepository,
    private readonly clock: Clock,
  ) {}

  async recipientDomains(brokerId = this.scope.brokerId()): Promise<string[]> {
    return domainsFromText(await this.reports.recipientDomains(brokerId));
  }

  // Whom a report of `ownerId` (its requester, or its schedule's owner) may go to, as the settings are now.
  async recipientPolicy(ownerId: number | null, brokerId = this.scope.brokerId()): Promise<RecipientPolicy> {
    const owner = ownerId === null ? null : await this.users.summaryInBroker(ownerId, brokerId);
    return { own: owner?.email.toLowerCase() ?? null, domains: await this.recipientDomains(brokerId) };
  }

  async saveRecipientDomains(raw: unknown): Promise<string[]> {
    const checked = checkDomainList(raw);
    if ('error' in checked) throw new ValidationFailedError({ recipientDomains: checked.error });
    const brokerId = this.scope.brokerId();
    return this.sql.transaction(async (tx) => {
      const before = domainsFromText(await this.reports.recipientDomains(brokerId, tx));
      if (before.join('\n') === checked.domains.join('\n')) return checked.domains;
      await this.reports.saveRecipientDomains(tx, brokerId, checked.domains.join('\n'), this.clock.now());
      await this.audit.record(tx, {
        action: 'report.recipient_domains_saved',
        subject: { type: 'broker', id: brokerId },
        data: { domains: checked.domains, before },
      });
      return checked.domains;
    });
  }
}
