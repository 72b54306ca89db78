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

// Customers asked for per page of the list: the run holds one page of them at a time.
export const SYNC_PAGE_SIZE = 200;
const MAX_PAGES = 5_000;
// Per-customer calls in flight at once: quick for a few dozen customers, gentle on Partner Center's rate limits.
const PARALLEL_CALLS = 4;
const PROGRESS_EVERY = 20;
// Ids of unusual customers kept on the run (each at most 64 characters: 20 fit its column).
const UNUSUAL_IDS_KEPT = 20;
// When this many acceptance reads in a row failed and none succeeded, Partner Center is not answering for anyone
// (no user connected, an outage): the run stops with the reason instead of trying every customer.
const FAILURES_BEFORE_GIVING_UP = 20;

// What the run's row says of its unusual and unread customers changes only with their counts.
const findingsMark = (unusual: number, unread: number): string => `${unusual}/${unread}`;

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

// What the reads of a run came to, kept small whatever the broker's size: counts, the first failure and ids.
export class ReadTally {
  succeeded = 0;
  failed = 0;
  private first: PartnerCenterError | null = null;
  private readonly firstIds: string[] = [];
  private readonly byReason = new Map<string, number>();
  private everyFailureAuth = true;

  fail(id: string, error: PartnerCenterError): void {
    this.failed += 1;
    this.first ??= error;
    if (this.firstIds.length < UNUSUAL_IDS_KEPT) this.firstIds.push(id);
    this.byReason.set(error.message, (this.byReason.get(error.message) ?? 0) + 1);
    this.everyFailureAuth &&= error.kind === 'auth';
  }

  get firstError(): PartnerCenterError | null {
    return this.first;
  }

  // Nobody could be read: after many tries, or (whatever the broker's size) because the app's or the user's sign-in
  // is refused, which is no single customer's doing.
  get hopeless(): boolean {
    if (this.succeeded > 0 || this.failed === 0) return false;
    return this.failed >= FAILURES_BEFORE_GIVING_UP || this.everyFailureAuth;
  }

  // The most frequent reason, named with how many customers it kept from being read.
  unread(): UnreadCustomers | null {
    if (this.failed === 0) return null;
    const [reason] = [...this.byReason.entries()].sort((a, b) => b[1] - a[1])[0];
    const others = this.byReason.size - 1;
    return {
      count: this.failed,
      ids: [...this.firstIds],
      reason: others > 0 ? `${reason} (and ${others} other reason${others > 1 ? 's' : ''})` : reason,
    };
  }
}

// Customers kept although their data was odd (or dropped, without an id): counted, the first ids named.
class UnusualTally {
  count = 0;
  readonly ids: string[] = [];

  note(customer: FetchedCustomer): void {
    this.count += 1;
    // Space-separated in the column: an id is shown without whitespace or control characters.
    const shown = customer.tenantId.replace(/[\s\u0000-\u001f\u007f]+/g, '').slice(0, 64) || '(none)';
    if (this.ids.length < UNUSUAL_IDS_KEPT) this.ids.push(shown);
  }
}

// What a run carries from page to page: never the customers themselves, so that its memory does not grow with the
// broker (the ids seen excepted, which the removal of gone tenants needs).
interface RunProgress {
  readonly seen: Set<string>;
  readonly tally: ReadTally;
  readonly unusual: UnusualTally;
  written: MergeCounts;
  processed: number;
  // The counts of unusual and unread customers the run's row says, as committed (findingsToWrite).
  findingsWritten: string;
}

// One sync of the current broker's tenants, page by page: a page of Partner Center's customers is listed, their
// acceptances read, and the page merged in short transactions before the next page is asked for. Only once the
// whole list was read are the tenants it did not name marked removed, so a run stopped part-way removes nothing;
// it keeps the pages it wrote and says so.
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
    const progress: RunProgress = {
      seen: new Set<string>(),
      tally: new ReadTally(),
      unusual: new UnusualTally(),
      written: { created: 0, updated: 0, removed: 0 },
      processed: 0,
      findingsWritten: findingsMark(0, 0),
    };
    try {
      const credentials = await this.settings.credentialsFor(this.scope.brokerId());
      await this.syncPages(credentials, run, progress);
      const onBatch = (tx: Tx, counts: MergeCounts) => this.recordWritten(tx, run, counts, progress);
      progress.written = await this.writer.markGone(this.scope.brokerId(), progress.seen, this.clock.now(), onBatch, {
        from: progress.written,
      });
      const unread = progress.tally.unread();
      if (unread)
        this.logger.warn(`Sync ${run.id}: could not read ${unread.count} customers' acceptance: ${unread.reason}`);
      // The final transaction proves the lease itself; a heartbeat racing it would only wait on its row lock.
      clearInterval(heartbeat);
      const { processed, written } = progress;
      await this.sql.transaction(async (tx) => {
        await this.recordFindings(tx, run, progress);
        await this.lease.succeed(tx, run, { processed, total: processed, ...written });
      });
      done({ result: 'succeeded' });
    } catch (error) {
      done({ result: 'failed' });
      const { created, updated, removed } = progress.written;
      const failure =
        error instanceof PartialMergeError || created + updated + removed === 0
          ? error
          : new PartialMergeError(error, progress.written);
      await this.lease
        .fail(run, this.describe(failure, run))
        .catch((failed: unknown) =>
          this.logger.error(`Sync ${run.id} could not record its failure: ${String(failed)}`),
        );
    } finally {
      clearInterval(heartbeat);
    }
  }

  private async syncPages(credentials: PartnerCenterCredentials, run: SyncRun, progress: RunProgress): Promise<void> {
    const tokensSeen = new Set<string>();
    let continuationToken: string | null = null;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      const result = await this.client.listCustomers(credentials, { pageSize: SYNC_PAGE_SIZE, continuationToken });
      await this.syncPage(credentials, run, result.items, progress);
      continuationToken = result.continuationToken;
      if (!continuationToken) return;
      if (tokensSeen.has(continuationToken)) break;
      tokensSeen.add(continuationToken);
    }
    throw new PartnerCenterError(
      'invalid_response',
      'Partner Center kept sending more pages of customers without end; try again later',
    );
  }

  // One page: its customers' acceptances read, then merged (normalised against the ids of the pages before).
  private async syncPage(
    credentials: PartnerCenterCredentials,
    run: SyncRun,
    customers: readonly PartnerCustomer[],
    progress: RunProgress,
  ): Promise<void> {
    const fetched = await this.readAcceptances(credentials, customers, run, progress);
    // Before anything of the page is written: a run where nobody can be read stops without changing a tenant.
    if (progress.tally.hopeless) throw progress.tally.firstError;
    for (const customer of fetched) {
      if ((customer.oddities?.length ?? 0) === 0) continue;
      this.logger.warn(
        `Sync ${run.id}: customer ${JSON.stringify(customer.tenantId)}: ${customer.oddities!.join(', ')}`,
      );
      progress.unusual.note(customer);
    }
    progress.written = await this.writer.mergeInBatches(
      this.scope.brokerId(),
      fetched,
      this.clock.now(),
      (tx, counts) => this.recordWritten(tx, run, counts, progress),
      { wholeList: false, seen: progress.seen, from: progress.written },
    );
    progress.processed += customers.length;
    await this.lease.heartbeat(run, { processed: progress.processed, total: null });
  }

  // Each customer's acceptance, read where due (acceptanceDue), a few customers at a time. A customer that cannot be
  // read keeps what we knew of it, marked not confirmed, and the run goes on; only when nobody can be read at all
  // does the run stop.
  private async readAcceptances(
    credentials: PartnerCenterCredentials,
    customers: readonly PartnerCustomer[],
    run: SyncRun,
    progress: RunProgress,
  ): Promise<FetchedCustomer[]> {
    const { tally } = progress;
    const fetched: FetchedCustomer[] = [];
    const now = this.clock.now();
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
      if (tally.failed >= FAILURES_BEFORE_GIVING_UP && tally.hopeless) throw tally.firstError;
      await this.lease.heartbeat(run, { processed: progress.processed + fetched.length, total: null });
    }
    return fetched;
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
      tally.fail(storedIdOf(customer).slice(0, 64), error);
      return withOddities({ ...kept, unreadable: error.message });
    }
  }

  // The unusual and unread customers so far, as the run's columns, when they changed since last committed: written
  // with each batch, so that a run stopped part-way says them too, but not again and again while they stay the same.
  private findingsToWrite(tx: Tx, progress: RunProgress): Partial<SyncRun> {
    const { unusual, tally } = progress;
    const mark = findingsMark(unusual.count, tally.failed);
    if (mark === progress.findingsWritten) return {};
    tx.afterCommit(() => (progress.findingsWritten = mark));
    const unread = tally.unread();
    return {
      ...(unusual.count > 0 ? { unusualCount: unusual.count, unusualIds: unusual.ids.join(' ') } : {}),
      ...(unread
        ? {
            unreadCount: unread.count,
            unreadIds: unread.ids.join(' ').slice(0, 2000),
            unreadReason: unread.reason.slice(0, 1000),
          }
        : {}),
    };
  }

  private async recordFindings(tx: Tx, run: SyncRun, progress: RunProgress): Promise<void> {
    const findings = this.findingsToWrite(tx, progress);
    if (Object.keys(findings).length === 0) return;
    if (!(await this.runs.updateWhileRunning(tx, run.id, findings))) throw new LeaseLostError();
  }

  // Inside each batch: the lease must still be ours (or the batch rolls back), and the counts commit with the rows.
  private async recordWritten(tx: Tx, run: SyncRun, counts: MergeCounts, progress: RunProgress): Promise<void> {
    const held = await this.runs.updateWhileRunning(tx, run.id, {
      ...counts,
      heartbeatAt: this.clock.now(),
      ...this.findingsToWrite(tx, progress),
    });
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
