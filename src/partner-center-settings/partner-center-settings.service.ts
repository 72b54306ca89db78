import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { ValidationFailedError, type FieldMessages } from '../common/domain-errors';
import { SecretBox } from '../common/secret-box';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService, type Tx } from '../database/sql.service';
import { JobQueue } from '../jobs/job-queue.service';
import { AcceptancePolicySource, REACCEPTANCE_JOB } from '../tenants/acceptance-policy';
import { LIVE_API_BASE_URL, LIVE_AUTHORITY_URL } from '../partner-center/partner-center.options';
import {
  PartnerCenterError,
  type ConnectedUser,
  type PartnerCenterCredentials,
  type PartnerCenterMode,
} from '../partner-center/partner-center.types';
import type { PartnerCenterSettingsDto } from './dto/partner-center-settings.dto';
import { PARTNER_CENTER_SANDBOX, type SandboxRegistration } from './partner-center.ports';
import type { PartnerCenterSettings } from './partner-center-settings.entity';
import { PartnerCenterSettingsRepository } from './partner-center-settings.repository';

export interface PartnerCenterSettingsState {
  requireAcceptedFrom: Date | null;
  mode: PartnerCenterMode;
  tenantId: string;
  appId: string;
  hasSecret: boolean;
  connectedUser: string | null;
  connectedAt: Date | null;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_FIELDS = [
  ['tenantId', 'Tenant id'],
  ['appId', 'App id'],
] as const;

// Each secret is sealed for its broker and field: a value copied to another row does not open.
const secretContext = (brokerId: number, field: 'appSecret' | 'refreshToken') => `partner-center:${brokerId}:${field}`;

// The MCA's launch: no acceptance of it can be older.
const EARLIEST_REQUIRED_DATE = '2019-01-01';

// A broker's way into Partner Center: the stored settings, and the credentials built from them for every caller.
// It also keeps the broker's "require acceptance on or after" date, which tenants read through AcceptancePolicySource.
@Injectable()
export class PartnerCenterSettingsService implements AcceptancePolicySource {
  private readonly defaultMode: PartnerCenterMode;

  constructor(
    private readonly settings: PartnerCenterSettingsRepository,
    private readonly scope: BrokerScope,
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
    private readonly box: SecretBox,
    private readonly queue: JobQueue,
    @Inject(PARTNER_CENTER_SANDBOX) private readonly sandbox: SandboxRegistration,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.defaultMode = config.partnerCenterMode;
  }

  // What the page shows; secrets only as "one is stored".
  async state(): Promise<PartnerCenterSettingsState> {
    const row = await this.settingsOf(this.scope.brokerId());
    return {
      requireAcceptedFrom: row?.requireAcceptedFrom ?? null,
      mode: row?.mode ?? this.defaultMode,
      tenantId: row?.tenantId ?? '',
      appId: row?.appId ?? '',
      hasSecret: Boolean(row?.appSecretSealed),
      connectedUser: row?.refreshTokenSealed ? (row.connectedUser ?? 'A Partner Center user') : null,
      connectedAt: row?.refreshTokenSealed ? row.connectedAt : null,
    };
  }

  // Returns whether a connected user was let go: their sign-in belongs to the app registration that changed.
  async save(input: PartnerCenterSettingsDto): Promise<{ disconnected: boolean }> {
    const brokerId = this.scope.brokerId();
    const result = await this.sql.transaction<{ errors: FieldMessages } | { disconnected: boolean }>(async (tx) => {
      const row = await this.rowOrNew(tx, brokerId);
      const errors = this.validate(input, Boolean(row.appSecretSealed));
      if (Object.keys(errors).length > 0) return { errors };

      const tenantId = input.tenantId.toLowerCase();
      const appId = input.appId.toLowerCase();
      const registrationChanged = row.mode !== input.mode || row.tenantId !== tenantId || row.appId !== appId;
      const disconnectedUser = registrationChanged && row.refreshTokenSealed ? row.connectedUser : undefined;
      Object.assign(row, { mode: input.mode, tenantId, appId });
      if (input.clientSecret !== '')
        row.appSecretSealed = this.box.seal(input.clientSecret, secretContext(brokerId, 'appSecret'));
      if (registrationChanged) this.forgetUser(row);
      await this.settings.save(tx, row);
      // Never the secret itself: only that a new one was stored.
      await this.audit.record(tx, {
        action: 'partner_center.settings_saved',
        subject: { type: 'partner_center_settings', id: row.id },
        data: { mode: row.mode, tenantId, appId, appSecretReplaced: input.clientSecret !== '' },
      });
      if (disconnectedUser !== undefined)
        await this.recordDisconnect(tx, row, disconnectedUser, 'app registration changed');
      return { disconnected: disconnectedUser !== undefined };
    });
    if ('errors' in result) throw new ValidationFailedError(result.errors);
    return result;
  }

  requiredFrom(brokerId: number): Promise<Date | null> {
    return this.settings.requiredFrom(brokerId);
  }

  // A day (YYYY-MM-DD) or '' for none. Tenants are marked again by a job, in batches.
  async saveAcceptancePolicy(day: string): Promise<Date | null> {
    const now = this.clock.now();
    const brokerId = this.scope.brokerId();
    const requiredFrom = day === '' ? null : new Date(`${day}T00:00:00Z`);
    if (requiredFrom !== null) {
      const valid = /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(requiredFrom.getTime());
      if (!valid || requiredFrom.toISOString().slice(0, 10) !== day)
        throw new ValidationFailedError({ requireAcceptedFrom: 'Enter a date like 2023-04-01, or leave it empty' });
      if (day < EARLIEST_REQUIRED_DATE)
        throw new ValidationFailedError({
          requireAcceptedFrom: 'The Microsoft Customer Agreement dates from 2019: enter a later date',
        });
      if (requiredFrom.getTime() > now.getTime())
        throw new ValidationFailedError({ requireAcceptedFrom: 'Enter today or an earlier date' });
    }
    await this.sql.transaction(async (tx) => {
      const row = await this.rowOrNew(tx, brokerId);
      const before = row.requireAcceptedFrom?.toISOString().slice(0, 10) ?? null;
      row.requireAcceptedFrom = requiredFrom;
      await this.settings.save(tx, row);
      await this.audit.record(tx, {
        action: 'partner_center.acceptance_policy_saved',
        subject: { type: 'partner_center_settings', id: row.id },
        data: { requireAcceptedFrom: day || null, before },
      });
      await this.queue.enqueue(tx, REACCEPTANCE_JOB, {}, { brokerId });
    });
    return requiredFrom;
  }

  async saveConnectedUser(user: ConnectedUser): Promise<void> {
    const brokerId = this.scope.brokerId();
    await this.sql.transaction(async (tx) => {
      const row = await this.rowOrNew(tx, brokerId);
      this.connect(row, user);
      await this.settings.save(tx, row);
      await this.recordConnect(tx, row, {});
    });
  }

  // Called in the context of the broker whose call rotated the token; a token that no longer matches the stored
  // one (the user reconnected meanwhile) is left alone. Routine (every token use), so not an audited change.
  async replaceRefreshToken(previous: string, next: string): Promise<void> {
    const brokerId = this.scope.brokerId();
    await this.sql.transaction(async (tx) => {
      const row = await this.settings.ofBroker(brokerId, tx);
      if (!row?.refreshTokenSealed || this.openSecret(row.refreshTokenSealed, brokerId, 'refreshToken') !== previous)
        return;
      row.refreshTokenSealed = this.box.seal(next, secretContext(brokerId, 'refreshToken'));
      await this.settings.save(tx, row);
    });
  }

  async disconnectUser(): Promise<void> {
    const brokerId = this.scope.brokerId();
    await this.sql.transaction(async (tx) => {
      const row = await this.settings.ofBroker(brokerId, tx);
      if (!row?.refreshTokenSealed) return;
      const user = row.connectedUser;
      this.forgetUser(row);
      await this.settings.save(tx, row);
      await this.recordDisconnect(tx, row, user, 'disconnected by an admin');
    });
  }

  // The one place that turns settings into credentials, for the sync and every later Partner Center caller.
  // Sandbox mode needs nothing typed: the sandbox's own registration fills what was left empty.
  async credentialsFor(brokerId: number): Promise<PartnerCenterCredentials> {
    const row = await this.settingsOf(brokerId);
    const mode = row?.mode ?? this.defaultMode;
    const appSecret = row?.appSecretSealed ? this.openSecret(row.appSecretSealed, brokerId, 'appSecret') : undefined;
    const refreshToken = row?.refreshTokenSealed
      ? this.openSecret(row.refreshTokenSealed, brokerId, 'refreshToken')
      : undefined;
    if (mode === 'sandbox') {
      const registration = this.sandboxRegistration();
      return {
        mode,
        authorityUrl: registration.baseUrl,
        apiBaseUrl: registration.baseUrl,
        tenantId: row?.tenantId || registration.tenantId,
        appId: row?.appId || registration.appId,
        appSecret: appSecret ?? registration.appSecret,
        refreshToken,
      };
    }
    if (!row?.tenantId || !row.appId || !appSecret) {
      throw new PartnerCenterError(
        'auth',
        'Partner Center is not set up: an admin enters the tenant id, app id and app secret in Partner Center settings',
      );
    }
    return {
      mode,
      authorityUrl: LIVE_AUTHORITY_URL,
      apiBaseUrl: LIVE_API_BASE_URL,
      tenantId: row.tenantId,
      appId: row.appId,
      appSecret,
      refreshToken,
    };
  }

  // A broker new to a sandbox install starts with the sandbox's partner user connected, so that the first sync
  // brings tenants and direct acceptances with nothing to set up. Once a broker has settings (saved, or its user
  // disconnected), they rule.
  private async settingsOf(brokerId: number): Promise<PartnerCenterSettings | null> {
    const row = await this.settings.ofBroker(brokerId);
    if (row || this.defaultMode !== 'sandbox' || !this.sandbox.running) return row;
    const fresh = this.settings.create({ brokerId, mode: 'sandbox' });
    this.connect(fresh, await this.sandbox.signInPartnerUser());
    await this.sql.transaction(async (tx) => {
      const id = await this.settings.insertFirst(tx, fresh);
      if (id !== null) await this.recordConnect(tx, { ...fresh, id }, { sandboxDefault: true });
    });
    return this.settings.ofBroker(brokerId);
  }

  private async rowOrNew(tx: Tx, brokerId: number): Promise<PartnerCenterSettings> {
    return (await this.settings.ofBroker(brokerId, tx)) ?? this.settings.create({ brokerId, mode: this.defaultMode });
  }

  private recordConnect(tx: Tx, row: PartnerCenterSettings, data: Record<string, unknown>) {
    return this.audit.record(tx, {
      action: 'partner_center.connected',
      brokerId: row.brokerId,
      subject: { type: 'partner_center_settings', id: row.id },
      data: { user: row.connectedUser, ...data },
    });
  }

  private recordDisconnect(tx: Tx, row: PartnerCenterSettings, user: string | null, reason: string) {
    return this.audit.record(tx, {
      action: 'partner_center.disconnected',
      brokerId: row.brokerId,
      subject: { type: 'partner_center_settings', id: row.id },
      data: { user, reason },
    });
  }

  private connect(row: PartnerCenterSettings, user: ConnectedUser): void {
    row.refreshTokenSealed = this.box.seal(user.refreshToken, secretContext(row.brokerId, 'refreshToken'));
    row.connectedUser = user.userPrincipalName?.trim().slice(0, 300) || null;
    row.connectedAt = this.clock.now();
  }

  private validate(input: PartnerCenterSettingsDto, hasStoredSecret: boolean): FieldMessages {
    const errors: FieldMessages = {};
    for (const [field, label] of ID_FIELDS) {
      const value = input[field];
      if (value === '' && input.mode === 'live') errors[field] = `Enter the ${label.toLowerCase()}: live mode needs it`;
      else if (value !== '' && !GUID.test(value))
        errors[field] = `${label} must be a GUID, like 00000000-0000-0000-0000-000000000000`;
    }
    if (input.mode === 'live' && input.clientSecret === '' && !hasStoredSecret)
      errors.clientSecret = 'Enter the app secret: live mode needs it';
    return errors;
  }

  private forgetUser(row: PartnerCenterSettings): void {
    row.refreshTokenSealed = null;
    row.connectedUser = null;
    row.connectedAt = null;
  }

  private openSecret(sealed: string, brokerId: number, field: 'appSecret' | 'refreshToken'): string {
    try {
      return this.box.open(sealed, secretContext(brokerId, field));
    } catch {
      throw new PartnerCenterError(
        'auth',
        'The stored Partner Center secrets cannot be read (was APP_SECRET changed?): enter the app secret again and reconnect the user',
      );
    }
  }

  private sandboxRegistration(): { baseUrl: string; tenantId: string; appId: string; appSecret: string } {
    try {
      return { ...this.sandbox.appRegistration(), baseUrl: this.sandbox.baseUrl };
    } catch {
      throw new PartnerCenterError(
        'unavailable',
        'The Partner Center sandbox is not running here: choose live mode, or start the app with PARTNER_CENTER_MODE=sandbox',
      );
    }
  }
}
