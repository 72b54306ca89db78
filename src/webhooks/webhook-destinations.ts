import { Injectable } from '@nestjs/common';
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { networkInterfaces } from 'node:os';
import { AppUrl } from '../common/app-url';
import { ValidationFailedError } from '../common/domain-errors';
import { InjectAppConfig, type AppConfig } from '../config/app.config';
import { isLoopbackOrUnspecified, nonPublicKind } from './network-address';

export const MAX_URL_LENGTH = 2000;

const defaultPort = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));
const bareHost = (url: URL) => url.hostname.replace(/^\[|\]$/g, '').toLowerCase();

const SELF = 'MCA Manager itself: a webhook must go to another system.';

export class RefusedDestinationError extends Error {}

// Where a webhook may go: http(s) only, never to the app itself, and (unless WEBHOOK_ALLOW_PRIVATE_NETWORKS) only
// to public addresses. Checked when an endpoint is registered, and again on every delivery against the addresses
// the connection actually uses, so that a name that resolves elsewhere later (DNS rebinding) gains nothing.
@Injectable()
export class WebhookDestinations {
  private readonly allowPrivate: boolean;
  private readonly publicUrl: URL | null;

  constructor(
    @InjectAppConfig() config: AppConfig,
    private readonly appUrl: AppUrl,
  ) {
    this.allowPrivate = config.webhooks.allowPrivateNetworks;
    this.publicUrl = config.publicUrl ? new URL(config.publicUrl) : null;
  }

  // The URL as it will be stored, or the reason it cannot be one, next to the field `url`.
  async check(raw: string): Promise<string> {
    const refuse = (message: string) => new ValidationFailedError({ url: message });
    const text = raw.trim();
    if (!text) throw refuse('Enter the URL the events are sent to.');
    if (text.length > MAX_URL_LENGTH) throw refuse(`The URL must be at most ${MAX_URL_LENGTH} characters.`);
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw refuse('Enter a full URL, like https://example.com/webhooks.');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw refuse('Enter an http:// or https:// URL: webhooks are sent over HTTP.');
    if (url.username || url.password) throw refuse('Put no user name or password in the URL.');
    if (!url.hostname) throw refuse('Enter a URL with a host name.');
    if (url.href.length > MAX_URL_LENGTH) throw refuse(`The URL must be at most ${MAX_URL_LENGTH} characters.`);
    if (this.isPublicUrl(url)) throw refuse(`This URL is ${SELF}`);
    const host = bareHost(url);
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await resolveAll(host);
    } catch {
      throw refuse(`The host ${host} could not be found: check the URL.`);
    }
    for (const address of addresses) {
      const reason = this.refusal(address, defaultPort(url));
      if (reason) throw refuse(`${host === address ? host : `${host} resolves to ${address}`}, ${reason}`);
    }
    return url.href;
  }

  // A connection's guard: the request's `lookup` (and a check of a literal address) refuses what `check` would.
  guard(url: URL): { lookup: LookupFunction } {
    if (this.isPublicUrl(url)) throw new RefusedDestinationError(`This URL is ${SELF}`);
    const port = defaultPort(url);
    const host = bareHost(url);
    if (isIP(host)) {
      const reason = this.refusal(host, port);
      if (reason) throw new RefusedDestinationError(`${host}, ${reason}`);
    }
    const lookup: LookupFunction = (hostname, options, callback) => {
      dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
        if (error) return callback(error, '', 0);
        const refused = found.map((a) => [a.address, this.refusal(a.address, port)]).find(([, reason]) => reason);
        if (refused)
          return callback(new RefusedDestinationError(`${hostname} resolves to ${refused[0]}, ${refused[1]}`), '', 0);
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, found);
        return callback(null, found[0].address, found[0].family);
      });
    };
    return { lookup };
  }

  // Why a connection to this address and port is refused, or null.
  refusal(address: string, port: number): string | null {
    if (this.isApp(address, port)) return `which is ${SELF}`;
    if (this.allowPrivate) return null;
    const kind = nonPublicKind(address);
    return kind
      ? `${kind}: this installation sends webhooks to public addresses only (WEBHOOK_ALLOW_PRIVATE_NETWORKS).`
      : null;
  }

  private isPublicUrl(url: URL): boolean {
    return (
      this.publicUrl !== null &&
      bareHost(url) === bareHost(this.publicUrl) &&
      defaultPort(url) === defaultPort(this.publicUrl)
    );
  }

  // The port the app listens at, on an address of this machine that reaches it.
  private isApp(address: string, port: number): boolean {
    const listening = this.appUrl.listening();
    if (!listening) return false;
    const app = new URL(listening);
    if (defaultPort(app) !== port) return false;
    const plain = address.replace(/^::ffff:/i, '').toLowerCase();
    if (isLoopbackOrUnspecified(address) || plain === bareHost(app)) return true;
    return Object.values(networkInterfaces()).some((list) =>
      (list ?? []).some((i) => i.address.toLowerCase() === plain),
    );
  }
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true }, (error, found) => (error ? reject(error) : resolve(found.map((a) => a.address)))),
  );
}
