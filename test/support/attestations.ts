import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { randomUUID } from 'node:crypto';
import { PartnerCenterSandboxService } from '../../src/partner-center/sandbox/partner-center-sandbox.service';
import { SyncService } from '../../src/sync/sync.service';
import { Tenant } from '../../src/tenants/tenant.entity';
import { csrfTokenFrom, postForm } from './http';
import type { TestApp } from './test-app';

export const SIGNATORY = {
  signatoryFirstName: 'Grace',
  signatoryLastName: 'Hopper',
  signatoryEmail: 'grace@fabrikam.test',
  signatoryPhone: '+1 425 555 0100',
  companyName: 'Fabrikam, Inc.',
  country: 'US',
  language: 'en-US',
  autoFinalize: 'yes',
  emailLink: 'no',
};

export const sandboxOf = (testApp: TestApp) => testApp.app.get(PartnerCenterSandboxService).server;

// The sandbox's customers as tenants of the broker, through a real sync.
export async function syncTenants(testApp: TestApp, agent: TestAgent): Promise<Tenant[]> {
  const started = await postForm(agent, '/mca', '/sync', {});
  if (started.status !== 303) throw new Error(`Sync did not start: ${started.status}`);
  await testApp.app.get(SyncService).whenIdle();
  return testApp.app
    .get(DataSource)
    .getRepository(Tenant)
    .find({ order: { name: 'ASC' } });
}

// The form as a browser sends it: the page's CSRF token and one-time request token, plus the fields.
export async function openForm(agent: TestAgent, tenantId: number) {
  const page = await agent.get(`/tenants/${tenantId}/attestations/new`);
  const token = /name="requestToken" value="([^"]+)"/.exec(page.text)?.[1];
  if (page.status !== 200 || !token) throw new Error(`No create form (${page.status})`);
  return { csrf: csrfTokenFrom(page.text), requestToken: token, page };
}

export async function createAttestation(
  agent: TestAgent,
  tenantId: number,
  fields: Partial<typeof SIGNATORY> = {},
  // `form`: one opened earlier (another tab), for posting after the tenant got its attestation.
  options: { htmx?: boolean; requestToken?: string; form?: { csrf: string; requestToken: string } } = {},
) {
  const form = options.form ?? (await openForm(agent, tenantId));
  const request = agent.post(`/tenants/${tenantId}/attestations`).type('form');
  if (options.htmx) request.set('HX-Request', 'true');
  return request.send({
    _csrf: form.csrf,
    requestToken: options.requestToken ?? form.requestToken,
    ...SIGNATORY,
    ...fields,
  });
}

export async function attestationRows(testApp: TestApp) {
  return testApp.app.get(DataSource).query('SELECT * FROM attestations ORDER BY id');
}

// An action form on the attestation's page (finalize, retry, cancel), posted as a browser would.
export async function act(agent: TestAgent, tenantId: number, action: string, attestationId?: number) {
  const page = await agent.get(`/tenants/${tenantId}/attestation`);
  const id = attestationId ?? Number(/name="attestationId" value="(\d+)"/.exec(page.text)?.[1] ?? 0);
  return agent
    .post(`/tenants/${tenantId}/attestation/${action}`)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), attestationId: String(id) });
}

export const newToken = () => randomUUID();

// The customer accepting, as a browser would: the agreement page of the link, then the sandbox's component it frames.
export async function acceptAsCustomer(testApp: TestApp, link: string): Promise<void> {
  const customer = request.agent(testApp.server);
  const agreement = await customer.get(new URL(link).pathname);
  if (agreement.status !== 200) throw new Error(`Agreement page: ${agreement.status}`);
  const src = /<iframe class="component" src="([^"]+)"/.exec(agreement.text)?.[1] as string;
  const component = new URL(src.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&'));
  const path = component.pathname + component.search;
  const page = await customer.get(path);
  if (page.status !== 200) throw new Error(`Sandbox acceptance page: ${page.status}`);
  const accepted = await customer
    .post(path)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), authorized: 'yes' });
  if (accepted.status !== 303) throw new Error(`Sandbox acceptance: ${accepted.status}`);
}
