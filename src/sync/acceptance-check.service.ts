import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { PartnerCenterSettingsService } from '../partner-center-settings/partner-center-settings.service';
import type { KnownTenant } from '../tenants/tenant-merge';
import { TenantWriter } from '../tenants/tenant-writer';
import { TenantsRepository } from '../tenants/tenants.repository';
import { SyncRunner } from './sync-runner';

// A tenant opened this recently was checked already: opening it again does not ask Partner Center again.
const FRESH_MS = 60_000;

export interface CheckedAcceptance {
  tenant: KnownTenant;
  checked: boolean; // Partner Center was asked now
  failure: string | null; // why it could not answer (the tenant keeps what was known, marked not confirmed)
}

// One tenant's acceptance read from Partner Center on demand (its page opened, or "Check with Microsoft"), through
// the same reads and the same merge as the sync.
@Injectable()
export class AcceptanceCheckService {
  constructor(
    private readonly settings: PartnerCenterSettingsService,
    private readonly runner: SyncRunner,
    private readonly writer: TenantWriter,
    private readonly tenants: TenantsRepository,
    private readonly scope: BrokerScope,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  tenant(tenantId: number): Promise<KnownTenant> {
    return this.writer.knownTenant(this.scope.brokerId(), tenantId);
  }

  // `force`: asked for by a user; otherwise only when the last check is older than a minute.
  async check(tenantId: number, force: boolean): Promise<CheckedAcceptance> {
    const brokerId = this.scope.brokerId();
    const now = this.clock.now();
    const before = await this.writer.knownTenant(brokerId, tenantId);
    const fresh =
      before.acceptanceCheckedAt !== null &&
      before.acceptanceUnconfirmed === null &&
      now.getTime() - before.acceptanceCheckedAt.getTime() < FRESH_MS;
    if (before.removedAt !== null || (!force && fresh)) return { tenant: before, checked: false, failure: null };
    const credentials = await this.settings.credentialsFor(brokerId);
    const customer = { tenantId: before.microsoftTenantId, companyName: before.name, domain: before.domain };
    const fetched = await this.runner.readAcceptance(credentials, customer, before, { now, force: true });
    await this.writer.mergeInBatches(
      brokerId,
      [fetched],
      now,
      async (tx) => {
        const after = await this.tenants.knownTenants(brokerId, tx, { microsoftTenantIds: [before.microsoftTenantId] });
        if (after[0]?.status === before.status && after[0]?.reacceptance === before.reacceptance && !force) return;
        await this.audit.record(tx, {
          action: 'tenant.acceptance_checked',
          subject: { type: 'tenant', id: tenantId },
          data: {
            from: before.status,
            to: after[0]?.status ?? before.status,
            reacceptance: after[0]?.reacceptance ?? null,
            ...(fetched.unreadable ? { unreadable: fetched.unreadable } : {}),
          },
        });
      },
      { wholeList: false, confirmEveryMs: 0 },
    );
    return {
      tenant: await this.writer.knownTenant(brokerId, tenantId),
      checked: true,
      failure: fetched.unreadable ?? null,
    };
  }
}
