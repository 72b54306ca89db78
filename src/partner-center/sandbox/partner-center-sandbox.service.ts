import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { join } from 'node:path';
import type { AppConfig } from '../../config/app.config';
import type { ConnectedUser, PartnerCenterCredentials } from '../partner-center.types';
import { PartnerCenterSandbox } from './partner-center-sandbox';
import type { SandboxAppRegistration } from './sandbox-state';

export const SANDBOX_STATE_FILE = 'partner-center-sandbox.json';

// Runs the Partner Center sandbox beside the app in sandbox mode (the default), so that a fresh install works
// end to end without a Microsoft account. In live mode it stays off and every accessor says so.
@Injectable()
export class PartnerCenterSandboxService implements OnModuleInit, OnApplicationShutdown {
  private sandbox: PartnerCenterSandbox | null = null;

  constructor(private readonly config: ConfigService) {}

  async onModuleInit(): Promise<void> {
    const app = this.config.getOrThrow<AppConfig>('app');
    if (app.partnerCenterMode !== 'sandbox') return;
    const sandbox = new PartnerCenterSandbox({
      stateFile: join(app.dataDir, SANDBOX_STATE_FILE),
      port: app.sandboxPort,
      tokenTtlSeconds: app.sandbox.tokenTtlSeconds,
      linkExpiryMinutes: app.sandbox.linkExpiryMinutes,
    });
    await sandbox.start();
    this.sandbox = sandbox;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.stop();
    this.sandbox = null;
  }

  get running(): boolean {
    return this.sandbox !== null;
  }

  // The sandbox itself, for its controls (customers, direct acceptance, faults) in tests and demos.
  get server(): PartnerCenterSandbox {
    if (!this.sandbox)
      throw new Error('The Partner Center sandbox is not running (PARTNER_CENTER_MODE is not sandbox)');
    return this.sandbox;
  }

  get baseUrl(): string {
    return this.server.baseUrl;
  }

  appRegistration(): SandboxAppRegistration {
    return this.server.appRegistration();
  }

  // A refresh token for the sandbox's partner user, as if they had signed in: a sandbox install starts connected.
  signInPartnerUser(): ConnectedUser {
    return this.server.signInPartnerUser();
  }

  // Credentials that reach the sandbox for both sign-in and API calls.
  credentials(refreshToken?: string): PartnerCenterCredentials {
    const { tenantId, appId, appSecret } = this.appRegistration();
    return {
      mode: 'sandbox',
      authorityUrl: this.baseUrl,
      apiBaseUrl: this.baseUrl,
      tenantId,
      appId,
      appSecret,
      ...(refreshToken ? { refreshToken } : {}),
    };
  }
}
