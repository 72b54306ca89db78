import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import { InjectAppConfig, type AppConfig } from '../config/app.config';

// The one address absolute links are built from: PUBLIC_URL when set; otherwise the address the app listens at (a
// wildcard address is reached as localhost), or http://localhost:PORT before it listens. Never a request's Host.
@Injectable()
export class AppUrl {
  constructor(
    @InjectAppConfig() private readonly app: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  // Whether the address is one an administrator gave (PUBLIC_URL) rather than this machine's own.
  get isPublic(): boolean {
    return Boolean(this.app.publicUrl);
  }

  base(): string {
    return (this.app.publicUrl ?? this.listening() ?? `http://localhost:${this.app.port}`).replace(/\/+$/, '');
  }

  // The address this process listens at, or null before it listens.
  listening(): string | null {
    const server = this.adapterHost.httpAdapter?.getHttpServer() as
      { address?: () => AddressInfo | string | null } | undefined;
    const address = server?.address?.();
    if (!address || typeof address === 'string') return null;
    const host = ['::', '0.0.0.0', '::1'].includes(address.address) ? 'localhost' : address.address;
    return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  }
}
