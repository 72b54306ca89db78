import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { join } from 'node:path';
import { Clock } from '../../common/clock';
import { InjectAppConfig, type AppConfig } from '../../config/app.config';
import type { ConnectedUser, PartnerCenterCredentials } from '../partner-center.types';
import { PartnerCenterSandbox, SandboxPortInUseError } from './partner-center-sandbox';
import type { SandboxAppRegistration } from './sandbox-state';
import { SharedSandbox } from './shared-sandbox';

export const SANDBOX_STATE_FILE = 'partner-center-sandbox.json';
const SANDBOX_HOST = '127.0.0.1';

// Runs the Partner Center sandbox beside the app in sandbox mode (the default), so that a fresh install works
// end to end without a Microsoft account. In live mode it stays off and every accessor says so.
//
// Several instances on one host share one sandbox: the first to start serves it on SANDBOX_PORT, and the others
// find it there and use it, so a refresh token issued through one instance is accepted through every other.
@Injectable()
export class PartnerCenterSandboxService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('PartnerCenterSandbox');
  private sandbox: PartnerCenterSandbox | null = null;
  private shared: SharedSandbox | null = null;

  constructor(
    @InjectAppConfig() private readonly app: AppConfig,
    private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    const { app } = this;
    if (app.partnerCenterMode !== 'sandbox') return;
    if (!app.publicUrl)
      this.logger.warn(
        "PUBLIC_URL is not set: customers' agreement links point at this machine's own address, which a phone or another computer may not reach. Set PUBLIC_URL to the address people reach the app at.",
      );
    const address = `http://${SANDBOX_HOST}:${app.sandboxPort}`;
    if (app.sandboxPort !== 0 && (await this.useShared(address))) return;
    const sandbox = new PartnerCenterSandbox({
      stateFile: join(app.dataDir, SANDBOX_STATE_FILE),
      port: app.sandboxPort,
      host: SANDBOX_HOST,
      tokenTtlSeconds: app.sandbox.tokenTtlSeconds,
      linkExpiryMinutes: app.sandbox.linkExpiryMinutes,
      now: () => this.clock.nowMs(),
    });
    try {
      await sandbox.start();
    } catch (error) {
      // Another instance started its sandbox between the look and the listen.
      if (error instanceof SandboxPortInUseError && (await this.useShared(address))) return;
      throw error;
    }
    this.sandbox = sandbox;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sandbox?.stop();
    this.sandbox = null;
    this.shared = null;
  }

  get running(): boolean {
    return this.sandbox !== null || this.shared !== null;
  }

  // The sandbox itself, for its controls (customers, direct acceptance, faults) in tests and demos.
  get server(): PartnerCenterSandbox {
    if (this.shared)
      throw new Error(`This instance uses the Partner Center sandbox of another instance at ${this.shared.baseUrl}`);
    if (!this.sandbox)
      throw new Error('The Partner Center sandbox is not running (PARTNER_CENTER_MODE is not sandbox)');
    return this.sandbox;
  }

  get baseUrl(): string {
    return this.shared?.baseUrl ?? this.server.baseUrl;
  }

  appRegistration(): SandboxAppRegistration {
    return this.shared ? { ...this.shared.registration } : this.server.appRegistration();
  }

  // A refresh token for the sandbox's partner user, as if they had signed in: a sandbox install starts connected.
  async signInPartnerUser(): Promise<ConnectedUser> {
    return this.shared ? this.shared.signInPartnerUser() : this.server.signInPartnerUser();
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

  private async useShared(address: string): Promise<boolean> {
    this.shared = await SharedSandbox.find(address);
    if (this.shared) this.logger.log(`Using the Partner Center sandbox another instance serves at ${address}`);
    return this.shared !== null;
  }
}
