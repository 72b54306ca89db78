import { Inject, Injectable, Logger } from '@nestjs/common';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { SqlService, type Tx } from '../database/sql.service';
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
import { SyncRunsRepository } from './sync.repository';
import { acceptanceDue, type FetchedCustomer, type KnownTenant, type PartnerAgreement } from '../tenants/tenant-merge';
import type { CustomerAgreement } from '../partner-center/partner-center.types';
import { PartialMergeError, TenantWriter, type MergeCounts } from '../tenants/tenant-writer';
import { TenantsRepository } from '../tenants/tenants.repository';
import { Metrics } from '../metrics/metrics.service';
import type { Histogram } from 'prom-client';

const PAGE_SIZE = 200;
const MAX_PAGES = 5_000;
// Per-customer calls in flight at once: quick for a few dozen customers, gentle on Partner Center's rate limits.
const PARALLEL_CALLS = 4;
const PROGRESS_EVERY = 20;
// Ids of unusual customers kept on the run (each at most 64 characters: 20 fit its column).
const UNUSUAL_IDS_KEPT = 20;
// When this many acceptance reads in a row failed and none succeeded, Partner Center is not answering for anyone
// (no user connected, an outage): the run stops with the reason instead of trying every customer.
const FAILURES_BEFORE_GIVING_UP = 20;

// A customer's id as stored (TenantWriter keeps ids lower case).
const storedIdOf = (customer: PartnerCustomer): string => customer.tenantId.trim().toLowerCase();

// Shown on the sync's status: which customers could not be read, and why.
export interface UnreadCustomers {
  count: number;
  ids: string[];
  reason: string;
}

// The newest partner-confirmed agreement (an agreement without a date counts as the oldest).
function newestAgreement(items: readonly CustomerAgreement[]): PartnerAgreement | null {
  const newest = items.reduce<CustomerAgreement | null>(
    (best, item) =>
      !best || (item.dateAgreed?.getTime() ?? -Infinity) > (best.dateAgreed?.getTime() ?? -Infinity) ? item : best,
    null,
  );
  return newest
    ? { dateAgreed: newest.dateAgreed, templateId: newest.templateId, contact: newest.primaryContact }
    : null;
}

export class ReadTally {
  succeeded = 0;
  readonly failed: { id: string; error: PartnerCenterError }[] = [];

  // Nobody could be read: after many tries, or (whatever the broker's size) because the app's or the user's sign-in
  // is refused, which is no single customer's doing.
  get hopeless(): boolean {
    if (this.succeeded > 0 || this.failed.length === 0) return false;
    return this.failed.length >= FAILURES_BEFORE_GIVING_UP || this.failed.every(({ error }) => error.kind === 'auth');
  }

  // The most frequent reason, named with how many customers it kept from being read.
  unread(): UnreadCustomers | null {
    if (this.failed.length === 0) return null;
    const byReason = new Map<string, number>();
    for (const { error } of this.failed) byReason.set(error.message, (byReason.get(error.message) ?? 0) + 1);
    const [reason] = [...byReason.entries()].sort((a, b) => b[1] - a[1])[0];
    return {
      count: this.failed.length,
      ids: this.failed.slice(0, UNUSUAL_IDS_KEPT).map(({ id }) => id),
      reason:
        byReason.size > 1 ? `${reason} (and ${byReason.size - 1} other reason${byReason.size > 2 ? 's' : ''})` : reason,
    };
  }
}

// One sync of the current broker's tenants: read everything from Partner Center first, then write all changes in
// one transaction, so that a failure at any point leaves the previous data as it was.
@Injectable()
export class SyncRunner {
  private readonly logger = new Logger(SyncRunner.name);
  private readonly duration: Histogram<'broker' | 'result'>;

  constructor(
    @Inject(PARTNER_CENTER_API) private readonly client: PartnerCenterApi,
    private readonly settings: PartnerCenterSettingsService,
    private readonly lease: SyncLease,
    private readonly scope: BrokerScope,
    private readonly sql: SqlService,
    private readonly writer: TenantWriter,
    private readonly tenants: TenantsRepository,
    private readonly runs: SyncRunsRepository,
    private readonly clock: Clock,
    metrics: Metrics,
  ) {
    this.duration = metrics.histogram(
      'mca_sync_duration_seconds',
      'Syncs from Partner Center run by this instance: how long each took, by broker and result',
      ['broker', 'result'],
      [1, 5, 15, 30, 60, 120, 300, 600, 1800],
    );
  }

  async run(run: SyncRun): Promise<void> {
    const done = this.duration.startTimer({ broker: String(this.scope.brokerId()) });
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
      const { fetched, unread } = await this.readAcceptances(credentials, customers, run);
      // The final transaction proves the lease itself; a heartbeat racing it would only wait on its row lock.
      clearInterval(heartbeat);
      await this.write(run, fetched, unread);
      done({ result: 'succeeded' });
    } catch (error) {
      done({ result: 'failed' });
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

  // Each customer's acceptance, read where due (acceptanceDue), a few customers at a time. A customer that cannot be
  // read keeps what we knew of it, marked not confirmed, and the run goes on; only when nobody can be read at all
  // does the run stop.
  private async readAcceptances(
    credentials: PartnerCenterCredentials,
    customers: PartnerCustomer[],
    run: SyncRun,
  ): Promise<{ fetched: FetchedCustomer[]; unread: UnreadCustomers | null }> {
    const fetched: FetchedCustomer[] = [];
    const tally = new ReadTally();
    const now = this.clock.now();
    await this.lease.heartbeat(run, { processed: 0, total: customers.length });
    for (let start = 0; start < customers.length; start += PROGRESS_EVERY) {
      const chunk = customers.slice(start, start + PROGRESS_EVERY);
      // What we know of these customers, read chunk by chunk: a whole large broker at once would hold the event loop.
      const known = new Map(
        (
          await this.tenants.knownTenants(this.scope.brokerId(), undefined, {
            microsoftTenantIds: chunk.map((customer) => storedIdOf(customer)),
          })
        ).map((tenant) => [tenant.microsoftTenantId.toLowerCase(), tenant]),
      );
      fetched.push(
        ...(await mapBounded(chunk, PARALLEL_CALLS, (customer) =>
          this.readAcceptance(credentials, customer, known.get(storedIdOf(customer)), { now, tally }),
        )),
      );
      if (tally.failed.length >= FAILURES_BEFORE_GIVING_UP && tally.hopeless) throw tally.failed[0].error;
      await this.lease.heartbeat(run, { processed: fetched.length, total: customers.length });
    }
    if (tally.hopeless) throw tally.failed[0].error;
    return { fetched, unread: tally.unread() };
  }

  // Direct acceptance and the partner-confirmed agreements, both App+User as Microsoft documents them; `force` reads
  // them whether due or not (a user asked).
  async readAcceptance(
    credentials: PartnerCenterCredentials,
    customer: PartnerCustomer,
    known: KnownTenant | undefined,
    options: { now: Date; tally?: ReadTally; force?: boolean },
  ): Promise<FetchedCustomer> {
    const { now, tally = new ReadTally(), force = false } = options;
    const kept = { tenantId: customer.tenantId, companyName: customer.companyName, domain: customer.domain };
    const oddities = [...(customer.oddities ?? [])];
    const withOddities = (result: FetchedCustomer): FetchedCustomer =>
      oddities.length > 0 ? { ...result, oddities } : result;
    // Without an id there is nothing to ask about, nor to store: the customer is counted as unusual only.
    if (customer.tenantId.trim() === '' || !(force || acceptanceDue(known, now))) return withOddities(kept);
    try {
      const directlySigned = await this.client.getDirectAcceptance(credentials, customer.tenantId);
      const agreements = await this.client.listCustomerAgreements(credentials, customer.tenantId);
      oddities.push(...agreements.oddities);
      tally.succeeded += 1;
      return withOddities({ ...kept, acceptance: { directlySigned, partner: newestAgreement(agreements.items) } });
    } catch (error) {
      if (!(error instanceof PartnerCenterError)) throw error;
      tally.failed.push({ id: storedIdOf(customer).slice(0, 64), error });
      return withOddities({ ...kept, unreadable: error.message });
    }
  }

  // Written in short batches (TenantWriter.mergeInBatches), each planned on its rows as they are then (an
  // attestation that changed a status while Partner Center was being read is kept) and committing the run's
  // counts with it, so that a run stopped part-way says what it wrote. The run succeeds in a last transaction.
  private async write(run: SyncRun, fetched: FetchedCustomer[], unread: UnreadCustomers | null): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await this.recordUnusual(tx, run, fetched);
      if (unread) await this.recordUnread(tx, run, unread);
    });
    const written = await this.writer.mergeInBatches(this.scope.brokerId(), fetched, this.clock.now(), (tx, counts) =>
      this.recordWritten(tx, run, counts),
    );
    await this.sql
      .transaction((tx) =>
        this.lease.succeed(tx, run, { processed: fetched.length, total: fetched.length, ...written }),
      )
      .catch((error: unknown) => {
        throw new PartialMergeError(error, written);
      });
  }

  // Customers kept although their data was odd (or dropped, without an id): counted, the first ids named.
  private async recordUnusual(tx: Tx, run: SyncRun, fetched: FetchedCustomer[]): Promise<void> {
    const unusual = fetched.filter((customer) => (customer.oddities?.length ?? 0) > 0);
    if (unusual.length === 0) return;
    for (const customer of unusual) {
      this.logger.warn(
        `Sync ${run.id}: customer ${JSON.stringify(customer.tenantId)}: ${customer.oddities!.join(', ')}`,
      );
    }
    // Space-separated in the column: an id is shown without whitespace or control characters.
    const shown = (id: string) => id.replace(/[\s\u0000-\u001f\u007f]+/g, '').slice(0, 64) || '(none)';
    const ids = unusual.slice(0, UNUSUAL_IDS_KEPT).map((customer) => shown(customer.tenantId));
    const held = await this.runs.updateWhileRunning(tx, run.id, {
      unusualCount: unusual.length,
      unusualIds: ids.join(' '),
    });
    if (!held) throw new LeaseLostError();
  }

  private async recordUnread(tx: Tx, run: SyncRun, unread: UnreadCustomers): Promise<void> {
    this.logger.warn(`Sync ${run.id}: could not read ${unread.count} customers' acceptance: ${unread.reason}`);
    const held = await this.runs.updateWhileRunning(tx, run.id, {
      unreadCount: unread.count,
      unreadIds: unread.ids.join(' ').slice(0, 2000),
      unreadReason: unread.reason.slice(0, 1000),
    });
    if (!held) throw new LeaseLostError();
  }

  // Inside each batch: the lease must still be ours (or the batch rolls back), and the counts commit with the rows.
  private async recordWritten(tx: Tx, run: SyncRun, counts: MergeCounts): Promise<void> {
    const held = await this.runs.updateWhileRunning(tx, run.id, { ...counts, heartbeatAt: this.clock.now() });
    if (!held) throw new LeaseLostError();
  }

  // Stored and shown to the broker: Partner Center's own words, never an internal error's text.
  private describe(error: unknown, run: SyncRun): string {
    if (error instanceof PartialMergeError) {
      const { created, updated, removed } = error.written;
      const reason = this.describe(error.cause, run);
      if (created + updated + removed === 0) return `${reason}; no tenant was changed`;
      return `${reason}; before it stopped it had added ${created}, updated ${updated} and marked ${removed} removed`;
    }
    if (error instanceof PartnerCenterError || error instanceof LeaseLostError) return error.message;
    this.logger.error(
      `Sync ${run.id} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 'The sync failed because of an error in this app; the details are in its log';
  }
}
