import { Injectable } from '@nestjs/common';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { contactLabel, type Contact } from '../common/contact';
import { NotFoundInBrokerError } from '../common/domain-errors';
import { currentBrokerId } from '../common/request-context';
import { SqlService, type Tx } from '../database/sql.service';
import { AcceptancePolicySource } from './acceptance-policy';
import { deriveAcceptance } from './tenant-acceptance';
import type { Tenant } from './tenant.entity';
import { TenantsRepository } from './tenants.repository';
import type { TenantStatus } from './tenant-status';
import { apiPaths } from '../webhooks/webhook-event-types';
import { WebhookEvents } from '../webhooks/webhook-events.service';
import {
  changedFields,
  goneTenants,
  normaliseCustomers,
  planCustomerMerge,
  SIGNATORY_MAX,
  type FetchedCustomer,
  type KnownTenant,
  type TenantMergePlan,
} from './tenant-merge';

// The app's own partner-confirmed agreement, when its attestation is finalized.
export interface OwnAgreement {
  contact: Contact;
  agreedAt: Date;
  templateId: string | null;
}

export interface MergeCounts {
  created: number;
  updated: number;
  removed: number;
}

// A batched merge that stopped part-way: the batches before it committed, and `written` says what they wrote.
export class PartialMergeError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly written: MergeCounts,
  ) {
    super(`The merge stopped after writing ${written.created + written.updated + written.removed} changes`);
    this.name = 'PartialMergeError';
  }
}

// Called inside each batch's transaction with the totals so far (the caller records its progress with them).
export type MergeBatchHook = (tx: Tx, written: MergeCounts) => Promise<void>;

// Customers (or removals) per transaction of a batched merge. On SQLite a transaction is one turn of the event loop
// (better-sqlite3 answers synchronously) and every other write of the process waits for it; a new row with its
// triggers (the trigram search index above all) costs 0.1 to 0.15 ms there, so that 100 rows held the loop 10 to
// 15 ms, up to 60 on a busy machine (issue 25). 25 keep a batch's turn to a few ms.
export const MERGE_BATCH = 25;
const REACCEPTANCE_BATCH = 500;
// The broker's tenants read at once, in id order after the last one read, when looking for those gone from Partner
// Center: a few ms on SQLite, and never an empty read where the broker's ids are sparse.
const GONE_WINDOW = 2_000;

// The one writer of tenants and of their status: sync applies Partner Center's data through it, attestation its
// states. Every write runs inside the caller's transaction (SqlService.transaction), so that the change and what
// the caller records with it (a sync run, an audit event, a job) commit together.
@Injectable()
export class TenantWriter {
  constructor(
    private readonly sql: SqlService,
    private readonly tenants: TenantsRepository,
    private readonly policy: AcceptancePolicySource,
    private readonly webhooks: WebhookEvents,
  ) {}

  // One tenant of the broker as the merge reads it (a tenant's acceptance page); another broker's is not found.
  async knownTenant(brokerId: number, tenantId: number): Promise<KnownTenant> {
    const tenant = await this.tenants.known(brokerId, tenantId);
    if (!tenant) throw new NotFoundInBrokerError('That tenant');
    return tenant;
  }

  // Writes a merge plan (planTenantMerge, planned inside the same transaction on the rows as they are now).
  private async applyMergePlan(
    tx: Tx,
    brokerId: number,
    plan: TenantMergePlan,
    now: Date,
    known: readonly KnownTenant[],
  ): Promise<MergeCounts> {
    await this.tenants.insert(tx, brokerId, plan.inserts, now);
    for (const { id, changes } of plan.updates) {
      await this.tenants.update(tx, brokerId, id, { ...changes, lastSyncedAt: now });
    }
    const byId = new Map(known.map((t) => [t.id, t]));
    await this.statusesChanged(
      tx,
      brokerId,
      plan.updates.flatMap(({ id, changes }) => {
        const before = byId.get(id);
        return before && changes.status && changes.status !== before.status
          ? [{ tenant: before, to: changes.status }]
          : [];
      }),
    );
    return {
      created: plan.inserts.length,
      updated: plan.updates.length - plan.removed - plan.confirmed,
      removed: plan.removed,
    };
  }

  // Partner Center's customers merged in short transactions of MERGE_BATCH rows each, so that no other write
  // waits long behind a large sync. Each batch is planned on its rows as they are inside its own transaction (an
  // attestation that changed a status meanwhile is kept); then (for a whole list, not one page of it nor one
  // tenant's re-check) the tenants gone from Partner Center are marked removed (markGone). Ids are compared as
  // stored: this writer stores them normalised (lower case). A list merged page by page passes the same `seen`
  // (the ids already merged, which a page's duplicates are dropped against) and the totals so far as `from`.
  async mergeInBatches(
    brokerId: number,
    fetched: readonly FetchedCustomer[],
    now: Date,
    onBatch: MergeBatchHook,
    options: { wholeList: boolean; confirmEveryMs?: number; seen?: Set<string>; from?: MergeCounts } = {
      wholeList: true,
    },
  ): Promise<MergeCounts> {
    const requiredFrom = await this.policy.requiredFrom(brokerId);
    const written: MergeCounts = { created: 0, updated: 0, removed: 0, ...options.from };
    // Normalised batch by batch too: ten thousand customers at once would hold the event loop for tens of ms.
    const seen = options.seen ?? new Set<string>();
    for (let start = 0; start < fetched.length; start += MERGE_BATCH) {
      const slice = normaliseCustomers(fetched.slice(start, start + MERGE_BATCH), seen);
      if (slice.length === 0) continue;
      const totals = { ...written };
      await this.batch(onBatch, written, async (tx) => {
        const known = await this.tenants.knownTenants(brokerId, tx, {
          microsoftTenantIds: slice.map((c) => c.tenantId),
        });
        const plan = planCustomerMerge(slice, known, now, requiredFrom, options.confirmEveryMs);
        const counts = await this.applyMergePlan(tx, brokerId, plan, now, known);
        written.created = totals.created + counts.created;
        written.updated = totals.updated + counts.updated;
      }).catch((error: unknown) => {
        Object.assign(written, totals);
        throw new PartialMergeError(error, written);
      });
    }
    return options.wholeList ? this.markGone(brokerId, seen, now, onBatch, { from: written }) : written;
  }

  // The broker's tenants not among `seen` (the normalised ids of Partner Center's whole list) marked removed: read
  // GONE_WINDOW tenants at a time (after the last id read) and written in batches, with a turn of the event loop
  // between windows, so that neither the reads (better-sqlite3 answers synchronously) nor the writes hold other
  // requests whatever the broker's size.
  async markGone(
    brokerId: number,
    seen: ReadonlySet<string>,
    now: Date,
    onBatch: MergeBatchHook,
    options: { from?: MergeCounts } = {},
  ): Promise<MergeCounts> {
    const written: MergeCounts = { created: 0, updated: 0, removed: 0, ...options.from };
    let after = 0;
    for (;;) {
      const window = await this.tenants.listed(brokerId, { after, limit: GONE_WINDOW });
      const gone = goneTenants(window, seen);
      for (let start = 0; start < gone.length; start += MERGE_BATCH) {
        const ids = gone.slice(start, start + MERGE_BATCH);
        const before = written.removed;
        await this.batch(onBatch, written, async (tx) => {
          written.removed = before + (await this.tenants.markRemoved(tx, brokerId, ids, now));
        }).catch((error: unknown) => {
          written.removed = before;
          throw new PartialMergeError(error, written);
        });
      }
      if (window.length < GONE_WINDOW) return written;
      after = Number(window[window.length - 1].id);
      await nextTurn();
    }
  }

  // One short transaction of a batched merge, the caller's hook told the totals in it.
  private batch(onBatch: MergeBatchHook, written: MergeCounts, work: (tx: Tx) => Promise<void>): Promise<void> {
    return this.sql.transaction(async (tx) => {
      await work(tx);
      await onBatch(tx, { ...written });
    });
  }

  // Records on the tenant's row where the app's latest attestation of it stands (its attestation_state, or null)
  // and, when it is finalized, the partner-confirmed agreement it made; then derives the tenant's status and
  // acceptance again. The status follows the tenant's acceptances: a waiting attestation never lowers an accepted
  // tenant, and a cancelled one leaves the row as it was before it.
  async recordLatestAttestation(
    tx: Tx,
    tenantId: number,
    attestationState: string | null,
    made?: OwnAgreement,
  ): Promise<void> {
    const brokerId = currentBrokerId();
    const tenant = brokerId === undefined ? null : await this.tenants.locked(tx, brokerId, tenantId);
    if (!tenant) throw new NotFoundInBrokerError('That tenant');
    const own = made
      ? {
          partnerAccepted: true,
          partnerAgreedAt: made.agreedAt,
          agreementTemplateId: made.templateId,
          agreementSignatory: contactLabel(made.contact).slice(0, SIGNATORY_MAX),
          attestedOutside: false,
          ownAgreementContact: JSON.stringify(made.contact),
        }
      : {};
    const next = { ...tenant, ...own, attestationState };
    const derived = deriveAcceptance(next, await this.policy.requiredFrom(tenant.brokerId));
    const changes = changedFields<Tenant>(tenant, { ...own, attestationState, ...derived });
    if (Object.keys(changes).length === 0) return;
    await this.tenants.update(tx, tenant.brokerId, tenant.id, changes);
    if (changes.status && changes.status !== tenant.status)
      await this.statusesChanged(tx, tenant.brokerId, [{ tenant, to: changes.status }]);
  }

  // Partners' endpoints hear of each tenant whose status changed, in the transaction that changed it.
  private statusesChanged(
    tx: Tx,
    brokerId: number,
    changed: { tenant: Pick<KnownTenant, 'id' | 'microsoftTenantId' | 'name' | 'status'>; to: TenantStatus }[],
  ): Promise<number> {
    return this.webhooks.emitAll(
      tx,
      brokerId,
      changed.map(({ tenant, to }) => ({
        type: 'tenant.status_changed' as const,
        data: {
          id: tenant.id,
          microsoftTenantId: tenant.microsoftTenantId,
          name: tenant.name,
          status: to,
          previousStatus: tenant.status,
          url: apiPaths.tenant(tenant.id),
        },
      })),
    );
  }

  // The broker's accepted tenants marked again against its "require acceptance on or after" date, a window of ids
  // per short transaction (a large broker's rows in one write would hold every other request on SQLite). A date
  // changed while this ran is applied in another pass. Returns how many tenants need re-acceptance.
  async markReacceptance(
    brokerId: number,
    onProgress?: (done: number, total: number) => Promise<void>,
  ): Promise<number> {
    const span = await this.tenants.idSpan(brokerId);
    let applied: number | null | undefined; // undefined: no pass yet
    for (;;) {
      const requiredFrom = await this.policy.requiredFrom(brokerId);
      if ((requiredFrom?.getTime() ?? null) === applied) break;
      applied = requiredFrom?.getTime() ?? null;
      if (!span) break;
      const { low, high } = span;
      for (let from = low - 1; from < high; from += REACCEPTANCE_BATCH) {
        const to = from + REACCEPTANCE_BATCH;
        await this.sql.transaction((tx) => this.tenants.markReacceptance(tx, brokerId, { from, to }, requiredFrom));
        await onProgress?.(Math.min(to, high) - low + 1, high - low + 1);
      }
    }
    return this.tenants.reacceptanceCount(brokerId);
  }
}
