import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { ConfigService } from '@nestjs/config';
import { join } from 'node:path';
import type { AppConfig } from '../../config/app.config';
import type { ConnectedUser, PartnerCenterCredentials } from '../partner-center.types';
import { PartnerCenterSandbox } from './partner-center-sandbox';
import type { SandboxAppRegistration } from './sandbox-state';

export const SANDBOX_STATE_FILE = 'partner-center-sandbox.json';
// The app serves the sandbox's acceptance pages here, so that a customer opens the link from any device that
// reaches the app (PUBLIC_URL), not only on the sandbox's loopback port.
export const SANDBOX_ACCEPTANCE_PATH = '/sandbox/accept';

// Runs the Partner Center sandbox beside the app in sandbox mode (the default), so that a fresh install works
// end to end without a Microsoft account. In live mode it stays off and every accessor says so.
@Injectable()
export class PartnerCenterSandboxService implements OnModuleInit, OnApplicationShutdown {
  private sandbox: PartnerCenterSandbox | null = null;

  constructor(
    private readonly config: ConfigService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  async onModuleInit(): Promise<void> {
    const app = this.config.getOrThrow<AppConfig>('app');
    if (app.partnerCenterMode !== 'sandbox') return;
    const sandbox = new PartnerCenterSandbox({
      stateFile: join(app.dataDir, SANDBOX_STATE_FILE),
      port: app.sandboxPort,
      tokenTtlSeconds: app.sandbox.tokenTtlSeconds,
      linkExpiryMinutes: app.sandbox.linkExpiryMinutes,
      acceptanceUrl: (id) => {
        const base = app.publicUrl?.replace(/\/+$/, '') ?? this.appAddress();
        return base ? `${base}${SANDBOX_ACCEPTANCE_PATH}/${encodeURIComponent(id)}` : null;
      },
    });
    await sandbox.start();
    this.sandbox = sandbox;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.stop();
    this.sandbox = null;
  }

  // The app's own address while it listens (PUBLIC_URL unset): a wildcard address is reached as localhost.
  private appAddress(): string | null {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      { address?: () => AddressInfo | string | null } | undefined;
    const address = server?.address?.();
    if (!address || typeof address === 'string') return null;
    const host = ['::', '0.0.0.0', '::1'].includes(address.address) ? 'localhost' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
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
