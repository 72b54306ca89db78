import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { AuditTrail } from '../audit/audit-trail.service';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { ConflictError, UpstreamError, ValidationFailedError, type FieldMessages } from '../common/domain-errors';
import { SecretBox } from '../common/secret-box';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { PasswordSignInPolicy } from '../sign-in/password-sign-in-policy';
import { EntraRepository } from './entra.repository';

// An Entra ID app registration: the tenant people sign in from, and the app they sign in to.
export interface EntraRegistration {
  tenantId: string;
  clientId: string;
  clientSecret: string;
}

export interface EntraSettingsInput {
  enabled: boolean;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  allowNewUsers: boolean;
}

export interface EntraSettingsState {
  enabled: boolean;
  tenantId: string;
  clientId: string;
  hasSecret: boolean;
  allowNewUsers: boolean;
  passwordSignIn: boolean;
  adminSignedInAt: Date | null;
  // The installation's registration (ENTRA_* variables), used while the broker gives none of its own.
  installation: { tenantId: string; clientId: string } | null;
}

const secretContext = (brokerId: number) => `entra:${brokerId}:clientSecret`;
const GUID_EXAMPLE = '00000000-0000-0000-0000-000000000000';

// A broker's "Sign in with Microsoft": its settings, the registration sign-in uses, and whether passwords still work.
@Injectable()
export class EntraSettingsService implements PasswordSignInPolicy {
  private readonly installation: EntraRegistration | undefined;

  constructor(
    private readonly settings: EntraRepository,
    private readonly scope: BrokerScope,
    private readonly sql: SqlService,
    private readonly audit: AuditTrail,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    @InjectAppConfig() config: AppConfig,
  ) {
    this.installation = config.entra.registration;
  }

  async state(): Promise<EntraSettingsState> {
    const row = await this.settings.forBroker(this.scope.brokerId());
    return {
      enabled: row?.enabled ?? false,
      tenantId: row?.tenantId ?? '',
      clientId: row?.clientId ?? '',
      hasSecret: Boolean(row?.clientSecretSealed),
      allowNewUsers: row?.allowNewUsers ?? false,
      passwordSignIn: row?.passwordSignIn ?? true,
      adminSignedInAt: row?.adminSignedInAt ?? null,
      installation: this.installation
        ? { tenantId: this.installation.tenantId, clientId: this.installation.clientId }
        : null,
    };
  }

  // Returns whether password sign-in was turned back on: a broker that stops signing in with Microsoft, or
  // changes how, must not be left with no way in.
  async save(input: EntraSettingsInput): Promise<{ passwordSignInRestored: boolean }> {
    const brokerId = this.scope.brokerId();
    const result = await this.sql.transaction<{ errors: FieldMessages } | { passwordSignInRestored: boolean }>(
      async (tx) => {
        const row = await this.settings.forChange(tx, brokerId);
        const errors = this.validate(input, Boolean(row.clientSecretSealed));
        if (Object.keys(errors).length > 0) return { errors };

        const tenantId = input.tenantId.toLowerCase();
        const clientId = input.clientId.toLowerCase();
        const ownRegistration = tenantId !== '';
        const registrationChanged = row.tenantId !== tenantId || row.clientId !== clientId || input.clientSecret !== '';
        const passwordSignInRestored = !row.passwordSignIn && (!input.enabled || registrationChanged);
        Object.assign(row, { enabled: input.enabled, tenantId, clientId, allowNewUsers: input.allowNewUsers });
        if (!ownRegistration) row.clientSecretSealed = null;
        else if (input.clientSecret !== '')
          row.clientSecretSealed = this.box.seal(input.clientSecret, secretContext(brokerId));
        if (registrationChanged) row.adminSignedInAt = null;
        if (passwordSignInRestored) row.passwordSignIn = true;
        await this.settings.save(tx, row);
        // Never the secret itself: only that a new one was stored.
        await this.audit.record(tx, {
          action: 'entra.settings_saved',
          subject: { type: 'entra_settings', id: row.id },
          data: {
            enabled: row.enabled,
            tenantId: ownRegistration ? tenantId : null,
            clientId: ownRegistration ? clientId : null,
            registration: ownRegistration ? 'own' : 'installation',
            clientSecretReplaced: input.clientSecret !== '',
            allowNewUsers: row.allowNewUsers,
            passwordSignInRestored,
          },
        });
        return { passwordSignInRestored };
      },
    );
    if ('errors' in result) throw new ValidationFailedError(result.errors);
    return result;
  }

  // Passwords may be turned off only while an admin's Microsoft sign-in proves that admins still get in.
  async setPasswordSignIn(allowed: boolean): Promise<void> {
    const brokerId = this.scope.brokerId();
    await this.sql.transaction(async (tx) => {
      const row = await this.settings.forChange(tx, brokerId);
      if (row.passwordSignIn === allowed) return;
      if (!allowed && !row.enabled)
        throw new ConflictError('Turn on "Sign in with Microsoft" before turning password sign-in off.');
      if (!allowed && !row.adminSignedInAt)
        throw new ConflictError(
          'An admin of your organisation must first sign in with Microsoft (with these settings) before password sign-in can be turned off, so that nobody is locked out.',
        );
      row.passwordSignIn = allowed;
      await this.settings.save(tx, row);
      await this.audit.record(tx, {
        action: allowed ? 'entra.password_sign_in_on' : 'entra.password_sign_in_off',
        subject: { type: 'entra_settings', id: row.id },
      });
    });
  }

  // The registration a broker's Microsoft sign-in uses, or null when the broker has it off.
  async registrationFor(brokerId: number): Promise<EntraRegistration | null> {
    const row = await this.settings.enabledFor(brokerId);
    if (!row) return null;
    if (row.tenantId === '') return this.installation ?? null;
    try {
      return {
        tenantId: row.tenantId,
        clientId: row.clientId,
        clientSecret: this.box.open(row.clientSecretSealed ?? '', secretContext(brokerId)),
      };
    } catch {
      throw new UpstreamError(
        'The stored secret of Sign in with Microsoft cannot be read (was APP_SECRET changed?): an admin enters it again in the settings.',
        false,
      );
    }
  }

  enabledBrokerIds(): Promise<number[]> {
    return this.settings.enabledBrokerIds();
  }

  allowsNewUsers(brokerId: number): Promise<boolean> {
    return this.settings.allowsNewUsers(brokerId);
  }

  microsoftOffered(): Promise<boolean> {
    return this.settings.anyEnabled();
  }

  async passwordAllowed(brokerId: number): Promise<boolean> {
    return (await this.settings.passwordSignIn(brokerId)) ?? true;
  }

  // Routine (every admin's sign-in, which has its own audit event): the proof that password sign-in may go.
  async noteAdminSignIn(brokerId: number): Promise<void> {
    await this.settings.setAdminSignedInAt(brokerId, this.clock.now());
  }

  // Either the broker's own registration (tenant, client and a secret, stored or typed), or none of it and the
  // installation's.
  private validate(input: EntraSettingsInput, hasStoredSecret: boolean): FieldMessages {
    const errors: FieldMessages = {};
    const own = input.tenantId !== '' || input.clientId !== '' || input.clientSecret !== '';
    const needed = own || (input.enabled && !this.installation);
    const fields = [
      ['tenantId', 'Directory (tenant) id'],
      ['clientId', 'Application (client) id'],
    ] as const;
    for (const [field, label] of fields) {
      const value = input[field];
      if (value === '' && needed) errors[field] = `Enter the ${label.toLowerCase()}`;
      else if (value !== '' && !isUUID(value, 'all')) errors[field] = `${label} must be a GUID, like ${GUID_EXAMPLE}`;
    }
    if (needed && input.clientSecret === '' && !(hasStoredSecret && input.tenantId !== ''))
      errors.clientSecret = 'Enter the client secret';
    return errors;
  }
}
