import { Injectable } from '@nestjs/common';
import { MAX_ID } from '../common/ids';
import type { Dialect } from '../database/dialect';
import { SqlService, type Tx } from '../database/sql.service';
import type { AttestationInput } from './attestation-input';
import type { AttestationState } from './attestation-state';
import type { Attestation, AttestationChanges } from './attestation.record';

// A row of `attestations` as both drivers return it (booleans as 0/1 on SQLite, timestamps as text there).
export interface AttestationRow {
  id: number | string;
  broker_id: number | string;
  tenant_id: number | string;
  pc_attestation_id: string;
  request_token: string;
  signatory_first_name: string;
  signatory_last_name: string;
  signatory_email: string;
  signatory_phone: string | null;
  company_name: string;
  country: string;
  language: string;
  auto_finalize: boolean | number;
  email_link: boolean | number;
  state: string;
  link: string;
  component_url: string | null;
  link_expires_at: unknown;
  template_id: string | null;
  agreement_link: string | null;
  created_by_user_id: number | string | null;
  created_by_label: string;
  created_at: unknown;
  accepted_at: unknown;
  finalize_requested_at: unknown;
  finalized_at: unknown;
  failed_at: unknown;
  cancelled_at: unknown;
  expired_at: unknown;
  last_error: string | null;
  last_error_kind: string | null;
  last_polled_at: unknown;
  next_poll_at: unknown;
  emailed_at: unknown;
  reminded_at: unknown;
}

// The columns of a tenant's latest attestation that a report shows.
interface LatestAttestationRow {
  tenant_id: number | string;
  signatory_first_name: string;
  signatory_last_name: string;
  signatory_email: string;
  created_by_label: string;
  created_at: unknown;
  finalized_at: unknown;
  state: string;
}

export interface AttestationMilestones {
  emailed: number;
  accepted: number;
  finalized: number;
}

// SQLite allows a limited number of bound values per statement.
const IDS_PER_STATEMENT = 500;

function slices<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += IDS_PER_STATEMENT)
    out.push(items.slice(start, start + IDS_PER_STATEMENT));
  return out;
}

// A tenant's latest attestation, as a report shows it.
export interface LatestAttestation {
  signatoryName: string;
  signatoryEmail: string;
  createdBy: string;
  createdAt: Date | null;
  finalizedAt: Date | null;
  state: string;
}

// One attestation of a tenant's history, named only.
export interface AttestationSummary {
  id: number;
  state: AttestationState;
  createdAt: Date;
}

// A new attestation's values, as Partner Center made it and the partner entered it.
export interface NewAttestation {
  brokerId: number;
  tenantId: number;
  pcAttestationId: string;
  input: AttestationInput;
  link: string;
  componentUrl: string | null;
  linkExpiresAt: Date | null;
  templateId: string | null;
  agreementLink: string | null;
  createdByUserId: number | null;
  createdByLabel: string;
  createdAt: Date;
  nextPollAt: Date;
}

// A page of a broker's attestations, newest first, below the id the previous page ended on: by
// ix_attestations_broker_state_id in one state, by ix_attestations_broker_id across all (plans in
// test/e2e/attestation-list-plans.e2e-spec.ts).
export function attestationPageStatement(
  dialect: Dialect,
  brokerId: number,
  state: AttestationState | null,
  beforeId: number | null,
  limit: number,
): { sql: string; params: unknown[] } {
  const p = dialect.placeholder;
  // An integer column compares only with an integer in its range (PostgreSQL refuses a wider one).
  const upTo = beforeId === null ? MAX_ID : beforeId - 1;
  return state
    ? {
        sql: `SELECT * FROM attestations WHERE broker_id = ${p(1)} AND state = ${p(2)} AND id <= ${p(3)} ORDER BY id DESC LIMIT ${p(4)}`,
        params: [brokerId, state, upTo, limit],
      }
    : {
        sql: `SELECT * FROM attestations WHERE broker_id = ${p(1)} AND id <= ${p(2)} ORDER BY id DESC LIMIT ${p(3)}`,
        params: [brokerId, upTo, limit],
      };
}

const columnOf = (property: string): string => property.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export function toAttestation(raw: AttestationRow, dialect: Dialect): Attestation {
  const date = (value: unknown) => dialect.decodeTimestamp(value);
  const text = (value: unknown) => (value === null || value === undefined ? null : String(value));
  return {
    id: Number(raw.id),
    brokerId: Number(raw.broker_id),
    tenantId: Number(raw.tenant_id),
    pcAttestationId: String(raw.pc_attestation_id),
    requestToken: String(raw.request_token),
    signatoryFirstName: String(raw.signatory_first_name),
    signatoryLastName: String(raw.signatory_last_name),
    signatoryEmail: String(raw.signatory_email),
    signatoryPhone: text(raw.signatory_phone),
    companyName: String(raw.company_name),
    country: String(raw.country),
    language: String(raw.language),
    autoFinalize: Boolean(Number(raw.auto_finalize) || raw.auto_finalize === true),
    emailLink: Boolean(Number(raw.email_link) || raw.email_link === true),
    state: raw.state as AttestationState,
    link: String(raw.link),
    componentUrl: text(raw.component_url),
    linkExpiresAt: date(raw.link_expires_at),
    templateId: text(raw.template_id),
    agreementLink: text(raw.agreement_link),
    createdByUserId: raw.created_by_user_id === null ? null : Number(raw.created_by_user_id),
    createdByLabel: String(raw.created_by_label),
    createdAt: date(raw.created_at) as Date,
    acceptedAt: date(raw.accepted_at),
    finalizeRequestedAt: date(raw.finalize_requested_at),
    finalizedAt: date(raw.finalized_at),
    failedAt: date(raw.failed_at),
    cancelledAt: date(raw.cancelled_at),
    expiredAt: date(raw.expired_at),
    lastError: text(raw.last_error),
    lastErrorKind: text(raw.last_error_kind),
    lastPolledAt: date(raw.last_polled_at),
    nextPollAt: date(raw.next_poll_at),
    emailedAt: date(raw.emailed_at),
    remindedAt: date(raw.reminded_at),
  };
}

// All SQL of the tables `attestations` and `attestation_claims`. Other features ask through its exported methods.
@Injectable()
export class AttestationsRepository {
  constructor(private readonly sql: SqlService) {}

  private one(rows: AttestationRow[], dialect: Dialect): Attestation | null {
    return rows[0] ? toAttestation(rows[0], dialect) : null;
  }

  // The tenant's latest attestation (the one its row and its page are about).
  async latestOfTenant(brokerId: number, tenantId: number): Promise<Attestation | null> {
    const rows = await this.sql.query<AttestationRow>`
      SELECT * FROM attestations WHERE tenant_id = ${tenantId} AND broker_id = ${brokerId}
      ORDER BY created_at DESC, id DESC LIMIT 1`;
    return this.one(rows, this.sql.dialect);
  }

  // The tenant's attestations, newest first, at most `limit` (ix_attestations_broker_tenant serves the order).
  async historyOfTenant(brokerId: number, tenantId: number, limit: number): Promise<AttestationSummary[]> {
    const rows = await this.sql.query<{ id: number | string; state: string; created_at: unknown }>`
      SELECT id, state, created_at FROM attestations WHERE tenant_id = ${tenantId} AND broker_id = ${brokerId}
      ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
    return rows.map((row) => ({
      id: Number(row.id),
      state: row.state as AttestationState,
      createdAt: this.sql.dialect.decodeTimestamp(row.created_at) as Date,
    }));
  }

  async ofTenant(brokerId: number, tenantId: number, attestationId: number): Promise<Attestation | null> {
    const rows = await this.sql.query<AttestationRow>`
          SELECT * FROM attestations WHERE id = ${attestationId} AND tenant_id = ${tenantId} AND broker_id = ${brokerId}`;
    return this.one(rows, this.sql.dialect);
  }

  async inBroker(brokerId: number, attestationId: number): Promise<Attestation | null> {
    const rows = await this.sql.query<AttestationRow>`
      SELECT * FROM attestations WHERE id = ${attestationId} AND broker_id = ${brokerId}`;
    return this.one(rows, this.sql.dialect);
  }

  async pageOfBroker(
    brokerId: number,
    state: AttestationState | null,
    beforeId: number | null,
    limit: number,
  ): Promise<Attestation[]> {
    const { sql, params } = attestationPageStatement(this.sql.dialect, brokerId, state, beforeId, limit);
    const rows = await this.sql.run<AttestationRow>(sql, params);
    return rows.map((row) => toAttestation(row, this.sql.dialect));
  }

  // Any broker's: for the jobs, which run outside a request.
  async byId(attestationId: number): Promise<Attestation | null> {
    const rows = await this.sql.query<AttestationRow>`SELECT * FROM attestations WHERE id = ${attestationId}`;
    return this.one(rows, this.sql.dialect);
  }

  // Any broker's, by Microsoft's id (the customer's agreement link): the newest, should Microsoft reuse an id.
  async latestByPcAttestationId(pcAttestationId: string): Promise<Attestation | null> {
    const rows = await this.sql.query<AttestationRow>`
      SELECT * FROM attestations WHERE pc_attestation_id = ${pcAttestationId} ORDER BY id DESC LIMIT 1`;
    return this.one(rows, this.sql.dialect);
  }

  async byRequestToken(brokerId: number, token: string): Promise<Attestation | null> {
    const rows = await this.sql.query<AttestationRow>`
      SELECT * FROM attestations WHERE request_token = ${token} AND broker_id = ${brokerId}`;
    return this.one(rows, this.sql.dialect);
  }

  // The broker's latest attestation's country and language.
  async brokerDefaults(brokerId: number): Promise<{ country: string; language: string } | null> {
    const [row] = await this.sql.query<{ country: string; language: string }>`
      SELECT country, language FROM attestations WHERE broker_id = ${brokerId} ORDER BY id DESC LIMIT 1`;
    return row ?? null;
  }

  async insert(tx: Tx, attestation: NewAttestation): Promise<Attestation> {
    const ts = (value: Date | null) => (value ? tx.dialect.encodeTimestamp(value) : null);
    const { input } = attestation;
    await tx.query`
      INSERT INTO attestations (broker_id, tenant_id, pc_attestation_id, request_token, signatory_first_name,
        signatory_last_name, signatory_email, signatory_phone, company_name, country, language, auto_finalize,
        email_link, state, link, component_url, link_expires_at, template_id, agreement_link, created_by_user_id,
        created_by_label, created_at, next_poll_at)
      VALUES (${attestation.brokerId}, ${attestation.tenantId}, ${attestation.pcAttestationId}, ${input.requestToken},
        ${input.signatoryFirstName}, ${input.signatoryLastName}, ${input.signatoryEmail}, ${input.signatoryPhone},
        ${input.companyName}, ${input.country}, ${input.language}, ${input.autoFinalize}, ${input.emailLink},
        ${'awaiting_acceptance'}, ${attestation.link}, ${attestation.componentUrl}, ${ts(attestation.linkExpiresAt)},
        ${attestation.templateId}, ${attestation.agreementLink}, ${attestation.createdByUserId},
        ${attestation.createdByLabel}, ${ts(attestation.createdAt)}, ${ts(attestation.nextPollAt)})`;
    const rows = await tx.query<AttestationRow>`SELECT * FROM attestations WHERE request_token = ${input.requestToken}`;
    return this.one(rows, tx.dialect)!;
  }

  // Read under the row's lock (PostgreSQL) until the transaction ends: the one way a change starts.
  async lock(tx: Tx, attestationId: number): Promise<Attestation | null> {
    const rows = await tx.run<AttestationRow>(
      `SELECT * FROM attestations WHERE id = ${tx.dialect.placeholder(1)}${tx.dialect.forUpdate()}`,
      [attestationId],
    );
    return this.one(rows, tx.dialect);
  }

  // A transition's write: the new state and the columns it sets (by their property names, never user input).
  async update(tx: Tx, attestationId: number, state: AttestationState, changes: AttestationChanges): Promise<void> {
    const entries = Object.entries(changes);
    const values = entries.map(([, value]) => (value instanceof Date ? tx.dialect.encodeTimestamp(value) : value));
    const sets = [
      `state = ${tx.dialect.placeholder(1)}`,
      ...entries.map(([key], i) => `${columnOf(key)} = ${tx.dialect.placeholder(i + 2)}`),
    ];
    await tx.run(
      `UPDATE attestations SET ${sets.join(', ')} WHERE id = ${tx.dialect.placeholder(entries.length + 2)}`,
      [state, ...values, attestationId],
    );
  }

  async setFinalizeRequested(tx: Tx, attestationId: number, at: Date): Promise<void> {
    await tx.query`UPDATE attestations SET finalize_requested_at = ${tx.dialect.encodeTimestamp(at)} WHERE id = ${attestationId}`;
  }

  async setEmailed(tx: Tx, attestationId: number, at: Date): Promise<void> {
    await tx.query`UPDATE attestations SET emailed_at = ${tx.dialect.encodeTimestamp(at)} WHERE id = ${attestationId}`;
  }

  async latestIdOfTenant(tx: Tx, tenantId: number): Promise<number | null> {
    const [row] = await tx.query<{ id: number | string }>`
      SELECT id FROM attestations WHERE tenant_id = ${tenantId} ORDER BY created_at DESC, id DESC LIMIT 1`;
    return row ? Number(row.id) : null;
  }

  async touchPoll(attestationId: number, at: Date, next: Date): Promise<void> {
    await this.sql.transaction(async (tx) => {
      await tx.query`UPDATE attestations SET last_polled_at = ${tx.dialect.encodeTimestamp(at)}, next_poll_at = ${tx.dialect.encodeTimestamp(next)} WHERE id = ${attestationId}`;
    });
  }

  // Open attestations whose next check is due, across brokers, oldest due first.
  async due(now: Date, limit: number): Promise<Attestation[]> {
    const rows = await this.sql.query<AttestationRow>`
      SELECT * FROM attestations WHERE state = ${'awaiting_acceptance'}
      AND (next_poll_at IS NULL OR next_poll_at <= ${this.sql.dialect.encodeTimestamp(now)})
      ORDER BY next_poll_at LIMIT ${limit}`;
    return rows.map((row) => toAttestation(row, this.sql.dialect));
  }

  // Emailed links that expire between `now` and `soon`, not accepted and not yet reminded.
  async toRemind(now: Date, soon: Date): Promise<Attestation[]> {
    const rows = await this.sql.query<AttestationRow>`
      SELECT * FROM attestations WHERE state = ${'awaiting_acceptance'} AND reminded_at IS NULL AND email_link = TRUE
      AND link_expires_at <= ${this.sql.dialect.encodeTimestamp(soon)} AND link_expires_at > ${this.sql.dialect.encodeTimestamp(now)} LIMIT 100`;
    return rows.map((row) => toAttestation(row, this.sql.dialect));
  }

  // The emailed links still awaiting acceptance of these tenants of the broker (a reminder asked from the MCA list).
  async awaitingOfTenants(brokerId: number, tenantIds: readonly number[]): Promise<Attestation[]> {
    if (tenantIds.length === 0) return [];
    const { dialect } = this.sql;
    const list = tenantIds.map((_, i) => dialect.placeholder(i + 3)).join(', ');
    const rows = await this.sql.run<AttestationRow>(
      `SELECT * FROM attestations WHERE broker_id = ${dialect.placeholder(1)} AND state = ${dialect.placeholder(2)}
       AND email_link = TRUE AND tenant_id IN (${list}) ORDER BY id`,
      [brokerId, 'awaiting_acceptance', ...tenantIds],
    );
    return rows.map((row) => toAttestation(row, dialect));
  }

  // Marks the reminder sent, unless another run did first (the row is locked until the transaction ends).
  async markReminded(tx: Tx, attestationId: number, at: Date): Promise<boolean> {
    const [current] = await tx.run<{ reminded_at: unknown }>(
      `SELECT reminded_at FROM attestations WHERE id = ${tx.dialect.placeholder(1)}${tx.dialect.forUpdate()}`,
      [attestationId],
    );
    if (!current || current.reminded_at !== null) return false;
    await tx.query`UPDATE attestations SET reminded_at = ${tx.dialect.encodeTimestamp(at)} WHERE id = ${attestationId}`;
    return true;
  }

  // Attestations by broker and state (the metrics' gauge).
  async countsByBrokerAndState(): Promise<{ brokerId: number; state: string; count: number }[]> {
    const rows = await this.sql.query<{ broker_id: number | string; state: string; n: number | string }>`
        SELECT broker_id, state, count(*) AS n FROM attestations GROUP BY broker_id, state`;
    return rows.map((row) => ({ brokerId: Number(row.broker_id), state: row.state, count: Number(row.n) }));
  }

  // The latest attestation of each of these tenants of the broker (a report's batch), by tenant id.
  async latestOfTenants(brokerId: number, tenantIds: readonly number[]): Promise<Map<number, LatestAttestation>> {
    const latest = new Map<number, LatestAttestation>();
    if (tenantIds.length === 0) return latest;
    const { dialect } = this.sql;
    const p = dialect.placeholder;
    const rows = await this.sql.run<LatestAttestationRow>(
      `SELECT tenant_id, signatory_first_name, signatory_last_name, signatory_email, created_by_label, created_at,
       finalized_at, state
     FROM attestations WHERE broker_id = ${p(1)} AND tenant_id IN (${tenantIds.map((_, i) => p(i + 2)).join(', ')})
     ORDER BY tenant_id, created_at, id`,
      [brokerId, ...tenantIds],
    );
    // Oldest first: the newest of each tenant is the one left in the map.
    for (const row of rows)
      latest.set(Number(row.tenant_id), {
        signatoryName: `${row.signatory_first_name} ${row.signatory_last_name}`.trim(),
        signatoryEmail: row.signatory_email,
        createdBy: row.created_by_label,
        createdAt: dialect.decodeTimestamp(row.created_at),
        finalizedAt: dialect.decodeTimestamp(row.finalized_at),
        state: row.state,
      });
    return latest;
  }

  // The broker's attestations among these ids (a batch's), read in slices of bound values.
  async byIds(brokerId: number, ids: readonly number[]): Promise<Map<number, Attestation>> {
    const found = new Map<number, Attestation>();
    for (const slice of slices(ids)) {
      const p = this.sql.dialect.placeholder;
      const rows = await this.sql.run<AttestationRow>(
        `SELECT * FROM attestations WHERE broker_id = ${p(1)} AND id IN (${slice.map((_, i) => p(i + 2)).join(', ')})`,
        [brokerId, ...slice],
      );
      for (const row of rows) found.set(Number(row.id), toAttestation(row, this.sql.dialect));
    }
    return found;
  }

  // Counted in the database: a batch's progress reads three numbers, not a thousand attestations.
  async milestones(brokerId: number, ids: readonly number[]): Promise<AttestationMilestones> {
    const total = { emailed: 0, accepted: 0, finalized: 0 };
    for (const slice of slices(ids)) {
      const p = this.sql.dialect.placeholder;
      const [row] = await this.sql.run<{
        emailed: number | string;
        accepted: number | string;
        finalized: number | string;
      }>(
        `SELECT count(emailed_at) AS emailed, count(accepted_at) AS accepted, count(finalized_at) AS finalized
         FROM attestations WHERE broker_id = ${p(1)} AND id IN (${slice.map((_, i) => p(i + 2)).join(', ')})`,
        [brokerId, ...slice],
      );
      total.emailed += Number(row?.emailed ?? 0);
      total.accepted += Number(row?.accepted ?? 0);
      total.finalized += Number(row?.finalized ?? 0);
    }
    return total;
  }

  // Claims (attestation_claims): which request holds a tenant while it asks Partner Center.

  async dropStaleClaim(tx: Tx, tenantId: number, claimedBefore: Date): Promise<void> {
    const stale = tx.dialect.encodeTimestamp(claimedBefore);
    await tx.query`DELETE FROM attestation_claims WHERE tenant_id = ${tenantId} AND claimed_at < ${stale}`;
  }

  // In the claiming transaction, or on its own (committed claims only).
  async claimHolder(tenantId: number, tx?: Tx): Promise<string | null> {
    const [held] = await (tx ?? this.sql).query<{ request_token: string }>`
          SELECT request_token FROM attestation_claims WHERE tenant_id = ${tenantId}`;
    return held?.request_token ?? null;
  }

  async insertClaim(tx: Tx, tenantId: number, requestToken: string, at: Date): Promise<void> {
    await tx.query`INSERT INTO attestation_claims (tenant_id, request_token, claimed_at)
          VALUES (${tenantId}, ${requestToken}, ${tx.dialect.encodeTimestamp(at)})`;
  }

  async deleteClaim(tx: Tx, tenantId: number, requestToken: string): Promise<void> {
    await tx.query`DELETE FROM attestation_claims WHERE tenant_id = ${tenantId} AND request_token = ${requestToken}`;
  }
}
