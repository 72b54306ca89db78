import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type TestAgent from 'supertest/lib/agent';
import { Webhook } from 'standardwebhooks';
import { csrfTokenFrom } from './http';
import { FAST_JOBS_ENV } from './jobs';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

// How the receiver answers a path: a status (with a body), or never (the sender must time out).
export type Behaviour = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number } | 'never';

// A real HTTP receiver on loopback: records every request, answers each path as told (200 by default).
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly behaviours = new Map<string, Behaviour[]>();
  private readonly hanging = new Set<ServerResponse>();
  private server!: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const path = req.url ?? '/';
        this.received.push({
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        });
        const queue = this.behaviours.get(path) ?? [];
        const behaviour = queue.length > 1 ? queue.shift()! : (queue[0] ?? { status: 200, body: 'ok' });
        if (behaviour === 'never') {
          this.hanging.add(res);
          return;
        }
        setTimeout(() => {
          res.writeHead(behaviour.status, { 'content-type': 'text/plain', ...behaviour.headers });
          res.end(behaviour.body ?? '');
        }, behaviour.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  // Answers for a path, in order; the last one repeats.
  on(path: string, ...behaviours: Behaviour[]): this {
    this.behaviours.set(path, behaviours);
    return this;
  }

  to(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// Verified with the Standard Webhooks reference library, as a receiver would: throws on a bad signature.
export function verified(
  secret: string,
  request: Received,
): { type: string; timestamp: string; data: Record<string, unknown> } {
  const headers = {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  };
  return new Webhook(secret).verify(request.body, headers) as {
    type: string;
    timestamp: string;
    data: Record<string, unknown>;
  };
}

export const ALL_EVENTS = [
  'tenant.status_changed',
  'attestation.created',
  'attestation.accepted',
  'attestation.finalized',
  'attestation.failed',
  'attestation.link_expired',
  'report.ready',
  'sync.finished',
];

export const WEBHOOK_TEST_ENV = {
  ...FAST_JOBS_ENV,
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  WEBHOOK_TIMEOUT_MS: '400',
};

// The form as a browser without JavaScript sends it (a checkbox per event: the field repeats).
export async function registerEndpoint(
  agent: TestAgent,
  fields: { url: string; description?: string; events?: string[]; enabled?: boolean },
) {
  const page = await agent.get('/webhooks');
  const body = new URLSearchParams({ _csrf: csrfTokenFrom(page.text), url: fields.url });
  if (fields.description) body.append('description', fields.description);
  for (const event of fields.events ?? []) body.append('events', event);
  if (fields.enabled !== false) body.append('enabled', 'on');
  return agent.post('/webhooks').type('form').send(body.toString());
}

// Registers and reads the secret from the page it redirects to (shown there once).
export async function endpointWithSecret(agent: TestAgent, url: string, events = ALL_EVENTS) {
  const created = await registerEndpoint(agent, { url, events });
  expect(created.status).toBe(303);
  const location = created.headers.location as string;
  const page = await agent.get(location);
  // As the page shows it: Handlebars writes `=` as an entity.
  const secret = (/id="secret-value">([^<]+)</.exec(page.text)?.[1] ?? '').replace(/&#x3D;/g, '=');
  expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
  return { id: Number(location.split('/').pop()), secret, location };
}
