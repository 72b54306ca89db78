import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxApi } from './sandbox-api';
import { SandboxAuthority } from './sandbox-authority';
import { SandboxFaults, type SandboxFault } from './sandbox-faults';
import { errorBody, readForm, redirect, SandboxHttpError, sendHtml, sendJson, sendRaw } from './sandbox-http';
import { acceptancePage, messagePage, SANDBOX_CSS } from './sandbox-pages';
import { MCA_TEMPLATE_ID, SEEDED_USER_ID, type SandboxAgreement, type SandboxCustomer } from './sandbox-seed';
import {
  SandboxState,
  type SandboxAppRegistration,
  type SandboxAttestation,
  type SandboxAttestationStatus,
} from './sandbox-state';

export interface PartnerCenterSandboxOptions {
  stateFile: string;
  port?: number; // 0: any free port
  host?: string;
  tokenTtlSeconds?: number;
  linkExpiryMinutes?: number;
  now?: () => number;
}

// Where the sandbox shows its stand-in for Microsoft's embeddable acceptance component, at the parameterised shape
// that the app builds for Microsoft's (partner-center.assumed.ts, componentUrl): served here on the sandbox's
// loopback port, and by the app at its own address so that a customer opens it from any device.
export const SANDBOX_COMPONENT_PATH = '/sandbox/accept';
export const sandboxComponentPath = (attestationId: string): string =>
  `${SANDBOX_COMPONENT_PATH}?attestationId=${encodeURIComponent(attestationId)}`;
export const sandboxComponentTemplate = (base: string): string =>
  `${base.replace(/\/+$/, '')}${SANDBOX_COMPONENT_PATH}?attestationId={attestationId}&language={language}`;

export interface SandboxRequestRecord {
  method: string;
  path: string;
  requestId: string | null;
  correlationId: string | null;
  contractVersion: string | null;
}

const MAX_RECORDS = 2_000;

// Named in the sandbox's own answers, so that another instance can tell it from whatever else holds the port.
export const SANDBOX_SERVICE = 'mca-manager-partner-center-sandbox';

export class SandboxPortInUseError extends Error {
  constructor(readonly port: number) {
    super(`The Partner Center sandbox cannot listen: port ${port} is in use: set SANDBOX_PORT to a free port (0: any)`);
  }
}
const header = (req: IncomingMessage, name: string) =>
  typeof req.headers[name] === 'string' ? (req.headers[name] as string) : null;

// A stand-in for Microsoft Partner Center and Entra ID on 127.0.0.1, outside Nest: the client talks to it exactly
// as to Microsoft. It also shows the customer's acceptance page, and tests steer it (customers, faults).
export class PartnerCenterSandbox {
  readonly faults = new SandboxFaults();
  readonly requests: SandboxRequestRecord[] = [];
  // Every request since the start, counted by method and path with customer ids left out ("GET
  // /v1/customers/{id}/agreements"): how many calls a sync makes, whatever its size.
  readonly callCounts = new Map<string, number>();
  private readonly state: SandboxState;
  private readonly authority: SandboxAuthority;
  private readonly api: SandboxApi;
  private readonly now: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private server: Server | null = null;
  private url: string | null = null;

  constructor(private readonly options: PartnerCenterSandboxOptions) {
    this.now = options.now ?? Date.now;
    this.state = new SandboxState(options.stateFile);
    this.authority = new SandboxAuthority(this.state, options.tokenTtlSeconds ?? 3_600, this.now);
    this.api = new SandboxApi(this.state, options.linkExpiryMinutes ?? 7 * 24 * 60, this.now);
  }

  async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    const port = this.options.port ?? 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => {
        reject(error.code === 'EADDRINUSE' ? new SandboxPortInUseError(port) : error);
      });
      server.listen(port, this.options.host ?? '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.url = `http://${this.options.host ?? '127.0.0.1'}:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  get baseUrl(): string {
    if (!this.url) throw new Error('The Partner Center sandbox is not running');
    return this.url;
  }

  appRegistration(): SandboxAppRegistration {
    return this.state.appRegistration;
  }

  // Controls for tests and demos.
  customers(): SandboxCustomer[] {
    return this.state.customers().map((customer) => ({ ...customer, agreements: [...customer.agreements] }));
  }

  addCustomer(input: { companyName: string; domain?: string; id?: string; directlySigned?: boolean }): SandboxCustomer {
    return this.state.addCustomer(input);
  }

  removeCustomer(tenantId: string): boolean {
    return this.state.removeCustomer(tenantId);
  }

  // A partner-confirmed agreement made outside the app (Partner Center's UI, the bulk tool, another portal).
  addPartnerAgreement(
    tenantId: string,
    agreement: { dateAgreed: string; primaryContact: SandboxAgreement['primaryContact']; templateId?: string },
  ): void {
    this.state.addAgreement(tenantId, {
      templateId: agreement.templateId ?? MCA_TEMPLATE_ID,
      dateAgreed: agreement.dateAgreed,
      primaryContact: agreement.primaryContact,
      userId: SEEDED_USER_ID,
      attestationId: null,
    });
  }

  setDirectAcceptance(tenantId: string, signed: boolean): void {
    this.state.setDirectAcceptance(tenantId, signed);
  }

  attestation(id: string): (SandboxAttestation & { status: SandboxAttestationStatus }) | null {
    const attestation = this.state.attestation(id);
    return attestation ? { ...attestation, status: this.api.attestationStatus(attestation) } : null;
  }

  acceptAttestation(id: string): void {
    this.state.acceptAttestation(id, new Date(this.now()));
  }

  expireAttestation(id: string): void {
    this.state.expireAttestation(id, new Date(this.now()));
  }

  // Every access token issued so far stops working, as when they expire on Microsoft's side.
  signInPartnerUser(): { refreshToken: string; userPrincipalName: string } {
    return this.authority.signInPartnerUser();
  }

  expireTokens(): void {
    this.authority.expireTokens();
  }

  clearRequests(): void {
    this.requests.length = 0;
  }

  private record(req: IncomingMessage, path: string): void {
    const route = `${req.method ?? 'GET'} ${path.split('?')[0].replace(/^\/v1\/customers\/[^/]+/, '/v1/customers/{id}')}`;
    this.callCounts.set(route, (this.callCounts.get(route) ?? 0) + 1);
    if (this.requests.length >= MAX_RECORDS) this.requests.shift();
    this.requests.push({
      method: req.method ?? 'GET',
      path,
      requestId: header(req, 'ms-requestid'),
      correlationId: header(req, 'ms-correlationid'),
      contractVersion: header(req, 'ms-contract-version'),
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
      const path = `${url.pathname}${url.search}`;
      this.record(req, path);
      const fault = this.faults.take(req.method ?? 'GET', path);
      if (fault?.delayMs) await this.delay(fault.delayMs);
      if (fault?.holdUntil) await fault.holdUntil.catch(() => undefined);
      if (fault && (fault.status !== undefined || fault.body !== undefined)) return this.sendFault(res, fault);
      await this.route(req, res, url);
    } catch (error) {
      if (res.headersSent) return void res.destroy();
      if (error instanceof SandboxHttpError) return sendJson(res, error.status, error.body);
      sendJson(res, 500, errorBody(500));
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    let match: RegExpExecArray | null;
    if (path === '/sandbox.css') return sendRaw(res, 200, SANDBOX_CSS, 'text/css; charset=utf-8');
    // For the app's other instances on this host, which use this sandbox instead of starting their own.
    if (path === '/sandbox/registration' && method === 'GET')
      return sendJson(res, 200, { service: SANDBOX_SERVICE, ...this.appRegistration() });
    if (path === '/sandbox/partner-user/sign-in' && method === 'POST')
      return sendJson(res, 200, { service: SANDBOX_SERVICE, ...this.signInPartnerUser() });
    if (path === SANDBOX_COMPONENT_PATH) return this.acceptance(req, res, url.searchParams.get('attestationId') ?? '');
    if ((match = /^\/([^/]+)\/oauth2\/v2\.0\/(token|authorize)$/.exec(path))) {
      const tenant = decodeURIComponent(match[1]);
      if (match[2] === 'token' && method === 'POST') return this.authority.token(req, res, tenant);
      if (match[2] === 'authorize' && method === 'GET') return this.authority.authorizePage(url, res, tenant);
      if (match[2] === 'authorize' && method === 'POST') return this.authority.authorize(req, res);
    }
    if (path.startsWith('/v1/')) {
      const bearer = /^Bearer (\S+)$/.exec(header(req, 'authorization') ?? '');
      const token = bearer ? this.authority.tokenFor(bearer[1]) : null;
      if (!token) return sendJson(res, 401, errorBody(401), { 'WWW-Authenticate': 'Bearer' });
      return this.api.handle(req, res, url, token);
    }
    sendJson(res, 404, errorBody(404));
  }

  // The public page Microsoft shows the customer's signatory: no sign-in, the link is the key.
  private async acceptance(req: IncomingMessage, res: ServerResponse, id: string): Promise<void> {
    const attestation = this.state.attestation(id);
    if (!attestation)
      return sendHtml(
        res,
        404,
        messagePage('Link not found', 'This acceptance link is not valid. Ask your partner for a new one.'),
      );
    if (req.method === 'POST') {
      await readForm(req);
      if (this.api.attestationStatus(attestation) === 'pending') this.acceptAttestation(id);
      return redirect(res, sandboxComponentPath(id));
    }
    const current = this.state.attestation(id) as SandboxAttestation;
    sendHtml(res, 200, acceptancePage(current, this.api.attestationStatus(current)));
  }

  private sendFault(res: ServerResponse, fault: SandboxFault): void {
    const status = fault.status ?? 200;
    const headers: Record<string, string> =
      fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
    if (typeof fault.body === 'string')
      return sendRaw(res, status, fault.body, fault.contentType ?? 'application/json; charset=utf-8', headers);
    sendJson(res, status, fault.body ?? errorBody(status), headers);
  }

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }
}
