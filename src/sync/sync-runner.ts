import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokerScope } from '../common/broker-scope.service';
import { SqlService } from '../database/sql.service';
import { PARTNER_CENTER_API } from '../partner-center-settings/partner-center.ports';
import { PartnerCenterSettingsService } from '../partner-center-settings/partner-center-settings.service';
import {
  PartnerCenterError,
  type PartnerCenterApi,
  type PartnerCenterCredentials,
  type PartnerCustomer,
} from '../partner-center/partner-center.types';
import { mapBounded } from './bounded';
import { HEARTBEAT_INTERVAL_MS, LeaseLostError, SyncLease } from './sync-lease';
import type { SyncRun } from './sync-run.entity';
import { needsAgreementDate, planTenantMerge, type FetchedCustomer, type KnownTenant } from '../tenants/tenant-merge';
import { TenantWriter } from '../tenants/tenant-writer';

const PAGE_SIZE = 200;
const MAX_PAGES = 5_000;
// Per-customer calls in flight at once: quick for a few dozen customers, gentle on Partner Center's rate limits.
const PARALLEL_CALLS = 4;
const PROGRESS_EVERY = 20;

// A refusal about one customer (no reseller relationship any more, gone meanwhile) leaves that customer's
// acceptance as we knew it; anything else stops the run.
const isAboutThisCustomerOnly = (error: unknown): boolean =>
  error instanceof PartnerCenterError && (error.kind === 'forbidden' || error.kind === 'not_found');

// One sync of the current broker's tenants: read everything from Partner Center first, then write all changes in
// one transaction, so that a failure at any point leaves the previous data as it was.
@Injectable()
export class SyncRunner {
  private readonly logger = new Logger(SyncRunner.name);

  constructor(
    @Inject(PARTNER_CENTER_API) private readonly client: PartnerCenterApi,
    private readonly settings: PartnerCenterSettingsService,
    private readonly lease: SyncLease,
    private readonly scope: BrokerScope,
    private readonly sql: SqlService,
    private readonly tenants: TenantWriter,
  ) {}

  async run(run: SyncRun): Promise<void> {
    const heartbeat = setInterval(
      () =>
        this.lease
          .heartbeat(run)
          .catch((error: unknown) => this.logger.warn(`Sync ${run.id} heartbeat: ${String(error)}`)),
      HEARTBEAT_INTERVAL_MS,
    );
    heartbeat.unref();
    try {
      const credentials = await this.settings.credentialsFor(this.scope.brokerId());
      const customers = await this.listCustomers(credentials, run);
      const known = new Map(
        (await this.tenants.knownTenants(this.scope.brokerId())).map((tenant) => [
          tenant.microsoftTenantId.toLowerCase(),
          tenant,
        ]),
      );
      const fetched = await this.readAcceptances(credentials, customers, known, run);
      // The final transaction proves the lease itself; a heartbeat racing it would only wait on its row lock.
      clearInterval(heartbeat);
      await this.write(run, fetched);
    } catch (error) {
      await this.lease
        .fail(run, this.describe(error, run))
        .catch((failure: unknown) =>
          this.logger.error(`Sync ${run.id} could not record its failure: ${String(failure)}`),
        );
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async listCustomers(credentials: PartnerCenterCredentials, run: SyncRun): Promise<PartnerCustomer[]> {
    const customers: PartnerCustomer[] = [];
    const tokensSeen = new Set<string>();
    let continuationToken: string | null = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await this.client.listCustomers(credentials, { pageSize: PAGE_SIZE, continuationToken });
      customers.push(...result.items);
      await this.lease.heartbeat(run, { processed: 0, total: null });
      continuationToken = result.continuationToken;
      if (!continuationToken) return customers;
      if (tokensSeen.has(continuationToken)) break;
      tokensSeen.add(continuationToken);
    }
    throw new PartnerCenterError(
      'invalid_response',
      'Partner Center kept sending more pages of customers without end; try again later',
    );
  }

  private async readAcceptances(
    credentials: PartnerCenterCredentials,
    customers: PartnerCustomer[],
    known: Map<string, KnownTenant>,
    run: SyncRun,
  ): Promise<FetchedCustomer[]> {
    const fetched: FetchedCustomer[] = [];
    await this.lease.heartbeat(run, { processed: 0, total: customers.length });
    for (let start = 0; start < customers.length; start += PROGRESS_EVERY) {
      const chunk = customers.slice(start, start + PROGRESS_EVERY);
      fetched.push(
        ...(await mapBounded(chunk, PARALLEL_CALLS, (customer) => this.readAcceptance(credentials, customer, known))),
      );
      await this.lease.heartbeat(run, { processed: fetched.length, total: customers.length });
    }
    return fetched;
  }

  private async readAcceptance(
    credentials: PartnerCenterCredentials,
    customer: PartnerCustomer,
    known: Map<string, KnownTenant>,
  ): Promise<FetchedCustomer> {
    const directlySigned = await this.client
      .getDirectAcceptance(credentials, customer.tenantId)
      .catch((error: unknown) => {
        if (isAboutThisCustomerOnly(error)) return null;
        throw error;
      });
    let dateAgreed: Date | null = null;
    if (needsAgreementDate(directlySigned, known.get(customer.tenantId.trim().toLowerCase()))) {
      const agreements = await this.client
        .listCustomerAgreements(credentials, customer.tenantId)
        .catch((error: unknown) => {
          if (isAboutThisCustomerOnly(error)) return [];
          throw error;
        });
      dateAgreed = agreements.reduce<Date | null>(
        (earliest, agreement) =>
          agreement.dateAgreed && (!earliest || agreement.dateAgreed < earliest) ? agreement.dateAgreed : earliest,
        null,
      );
    }
    return {
      tenantId: customer.tenantId,
      companyName: customer.companyName,
      domain: customer.domain,
      directlySigned,
      dateAgreed,
    };
  }

  // The merge is planned again inside the transaction, on the rows as they are now: an attestation that changed
  // a status while Partner Center was being read is kept.
  private async write(run: SyncRun, fetched: FetchedCustomer[]): Promise<void> {
    await this.sql.transaction(async (tx) => {
      const now = new Date();
      const brokerId = this.scope.brokerId();
      const plan = planTenantMerge(fetched, await this.tenants.knownTenants(brokerId, tx), now);
      const counts = await this.tenants.applyMergePlan(tx, brokerId, plan, now);
      await this.lease.succeed(tx.manager, run, { processed: fetched.length, total: fetched.length, ...counts });
    });
  }

  // Stored and shown to the broker: Partner Center's own words, never an internal error's text.
  private describe(error: unknown, run: SyncRun): string {
    if (error instanceof PartnerCenterError || error instanceof LeaseLostError) return error.message;
    this.logger.error(
      `Sync ${run.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 'The sync failed because of an error in this app; the details are in its log';
  }
}
