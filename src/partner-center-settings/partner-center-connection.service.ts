import { Inject, Injectable } from '@nestjs/common';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { BrokerScope } from '../common/broker-scope.service';
import { Clock } from '../common/clock';
import { PARTNER_CENTER_API } from './partner-center.ports';
import { PartnerCenterError, type PartnerCenterApi } from '../partner-center/partner-center.types';
import { PartnerCenterSettingsService } from './partner-center-settings.service';

// The sign-in of a Partner Center user is bound to the session that started it, and only for a while.
export interface PendingConnect {
  state: string;
  brokerId: number;
  expiresAt: number;
}

declare module 'express-session' {
  interface SessionData {
    partnerCenterConnect?: PendingConnect;
  }
}

const CONNECT_WINDOW_MS = 10 * 60_000;

const sameText = (a: string, b: string): boolean => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

// Talks to Partner Center on behalf of the settings page: "Test connection" and "Connect a Partner Center user".
@Injectable()
export class PartnerCenterConnectionService {
  constructor(
    @Inject(PARTNER_CENTER_API) private readonly client: PartnerCenterApi,
    private readonly settings: PartnerCenterSettingsService,
    private readonly scope: BrokerScope,
    private readonly clock: Clock,
  ) {}

  // One cheap call of each kind the sync needs (the customer list as the app; the agreement template as the
  // connected user, App+User as Microsoft documents it), reported in words an admin can act on.
  async test(): Promise<string> {
    const credentials = await this.settings.credentialsFor(this.scope.brokerId());
    const page = await this.client.listCustomers(credentials, { pageSize: 100 });
    const count = page.continuationToken
      ? `${page.items.length} or more customers`
      : `${page.items.length} customer${page.items.length === 1 ? '' : 's'}`;
    if (!credentials.refreshToken)
      return `The app is connected: ${count} visible. Connect a Partner Center user to read the customers' acceptances.`;
    const metadata = await this.client.getMcaAgreementMetadata(credentials);
    return `Connected: ${count} visible, MCA template ${metadata.templateId}.`;
  }

  async beginConnect(redirectUri: string): Promise<{ url: string; pending: PendingConnect }> {
    const brokerId = this.scope.brokerId();
    const credentials = await this.settings.credentialsFor(brokerId);
    const pending = {
      state: randomBytes(32).toString('base64url'),
      brokerId,
      expiresAt: this.clock.nowMs() + CONNECT_WINDOW_MS,
    };
    return { url: this.client.authorizationUrl(credentials, redirectUri, pending.state), pending };
  }

  // Returns who connected. A state that does not match this session's pending sign-in is refused.
  async completeConnect(
    pending: PendingConnect | undefined,
    query: { state?: unknown; code?: unknown; error?: unknown; error_description?: unknown },
    redirectUri: string,
  ): Promise<string> {
    const brokerId = this.scope.brokerId();
    if (
      !pending ||
      pending.brokerId !== brokerId ||
      pending.expiresAt < this.clock.nowMs() ||
      typeof query.state !== 'string' ||
      !sameText(query.state, pending.state)
    ) {
      throw new PartnerCenterError(
        'rejected',
        'This sign-in was not started here or took too long: start "Connect a Partner Center user" again',
      );
    }
    if (typeof query.error === 'string') {
      const reason =
        typeof query.error_description === 'string' ? query.error_description.slice(0, 300) : query.error.slice(0, 100);
      throw new PartnerCenterError('rejected', `Microsoft did not connect the user: ${reason}`);
    }
    if (typeof query.code !== 'string' || query.code === '')
      throw new PartnerCenterError('rejected', 'Microsoft sent no authorization code: start again');
    const credentials = await this.settings.credentialsFor(brokerId);
    const user = await this.client.exchangeAuthorizationCode(credentials, query.code, redirectUri);
    await this.settings.saveConnectedUser(user);
    return user.userPrincipalName ?? 'A Partner Center user';
  }
}
