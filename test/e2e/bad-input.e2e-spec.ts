import request from 'supertest';
import { createApiToken } from '../support/api';
import { tourApp, type AppTour } from '../support/app-tour';
import { formsOf, type PageForm } from '../support/forms';
import { csrfTokenFrom } from '../support/http';
import { fillPath, routesOf } from '../support/routes';
import { brokerIdOf } from '../support/tenants';

// Ids an attacker sends: zero, negative, one past PostgreSQL's integer, one past a 64-bit integer, numbers written
// another way, and a thousand digits.
const BAD_IDS = ['0', '-1', '2147483648', '9223372036854775808', '1e3', '0x10', '9'.repeat(1000)];
// Text no field should choke on: nothing, far too much, a NUL, control and direction characters, bytes of markup.
const BAD_TEXT = ['', 'x'.repeat(10_000), 'ab\u0000cd', 'line\r\nBcc: x@evil.test', '\u202Eevil\u0007', '<script>'];

interface Outcome {
  request: string;
  status: number;
}

// The requests every route gets, generated from the app's route table and the forms of its pages: whatever is sent,
// never a 500; an id that cannot be one is a 404 in a path and a 422 in a form.
describe('Bad ids and bad text on every route', () => {
  let tour: AppTour;
  let csrf: string;
  let apiToken: string;

  beforeAll(async () => {
    tour = await tourApp();
    csrf = csrfTokenFrom((await tour.admin.get('/')).text);
    apiToken = await createApiToken(tour.testApp, await brokerIdOf(tour.testApp, 'ada@contoso.test'));
  });
  afterAll(() => tour.testApp.close());

  // The JSON API is asked as an integrator asks it: with a token, and a JSON body.
  const send = (method: string, path: string, body?: URLSearchParams) => {
    // The API's routes are reached with the broker's token, as its callers do.
    if (path.startsWith('/api/'))
      return request(tour.testApp.server)
        [method.toLowerCase() as 'get' | 'post'](path)
        .set('Authorization', `Bearer ${tour.apiToken}`);
    const agent = tour.admin;
    if (path.startsWith('/api/')) {
      const call = agent[method.toLowerCase() as 'get' | 'post'](path).set('Authorization', `Bearer ${apiToken}`);
      return method === 'GET' ? call : call.send({});
    }
    if (method === 'GET') return agent.get(path);
    const form = body ?? new URLSearchParams({ _csrf: csrf });
    return agent[method.toLowerCase() as 'post'](path).type('form').send(form.toString());
  };

  it('should answer every bad id in every route path with a 404, and anything else in a path without a 500', async () => {
    const outcomes: Outcome[] = [];
    let numericIds = 0;
    for (const route of routesOf(tour.testApp)) {
      const good = tour.pathValues(route.path);
      for (const [, name] of route.path.matchAll(/:(\w+)/g)) {
        const numeric = typeof good[name] === 'number';
        if (numeric) numericIds++;
        for (const bad of [...BAD_IDS, ...BAD_TEXT.filter(Boolean)]) {
          const path = fillPath(route.path, { ...good, [name]: bad });
          const { status } = await send(route.method, path);
          if (status >= 500 || (numeric && status !== 404))
            outcomes.push({
              request: `${route.method} ${route.path} with ${name}=${JSON.stringify(bad.slice(0, 20))}`,
              status,
            });
        }
      }
    }
    expect(numericIds).toBeGreaterThanOrEqual(20);
    expect(outcomes).toEqual([]);
    expect((await tour.admin.get('/')).status).toBe(200);
  });

  // Each distinct form of every page the admin can open: its action, with one field at a time made bad.
  const everyForm = async (): Promise<PageForm[]> => {
    const forms = new Map<string, PageForm>();
    for (const route of routesOf(tour.testApp).filter((r) => r.method === 'GET')) {
      const path = fillPath(route.path, tour.pathValues(route.path));
      const page = await tour.admin.get(path);
      if (page.status !== 200 || !page.type.includes('html')) continue;
      for (const form of formsOf(page.text, path)) {
        const shape = `${form.action.replace(/\d+/g, ':n')} ${form.fields.map(([name]) => name).join(',')}`;
        if (!forms.has(shape) && form.action !== '/logout') forms.set(shape, form);
      }
    }
    return [...forms.values()];
  };

  it('should refuse a bad id in every form field that holds one with a 422, and bad text in any field without a 500', async () => {
    const forms = await everyForm();
    expect(forms.length).toBeGreaterThanOrEqual(15);
    const outcomes: Outcome[] = [];
    const statuses = new Map<number, number>();
    let idFields = 0;
    for (const form of forms) {
      for (const [field] of form.fields.filter(([name]) => name !== '_csrf')) {
        const holdsId = /Id$/.test(field);
        if (holdsId) idFields++;
        const bads: (string | string[])[] = [...(holdsId ? BAD_IDS : []), ...BAD_TEXT, ['1', '2']];
        for (const bad of bads) {
          const body = new URLSearchParams(form.fields.filter(([name]) => name !== field));
          body.set('_csrf', csrf);
          for (const value of Array.isArray(bad) ? bad : [bad]) body.append(field, value);
          const { status } = await send('POST', form.action, body);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const label = Array.isArray(bad) ? 'an array' : JSON.stringify(bad.slice(0, 20));
          if (status >= 500 || (holdsId && !Array.isArray(bad) && BAD_IDS.includes(bad) && status !== 422))
            outcomes.push({ request: `POST ${form.action} with ${field}=${label}`, status });
        }
      }
    }
    expect(idFields).toBeGreaterThanOrEqual(3);
    expect(outcomes).toEqual([]);
    // Most of it was refused, as it should be, and the admin is still signed in.
    const refused = [...statuses].filter(([status]) => status >= 400).reduce((sum, [, count]) => sum + count, 0);
    const total = [...statuses.values()].reduce((sum, count) => sum + count, 0);
    expect(refused / total).toBeGreaterThan(0.5);
    expect((await tour.admin.get('/')).status).toBe(200);
  });

  it('should answer a signed-out visitor the same way: never a 500', async () => {
    const visitor = request.agent(tour.testApp.server);
    const token = csrfTokenFrom((await visitor.get('/login')).text);
    const outcomes: Outcome[] = [];
    for (const route of routesOf(tour.testApp)) {
      const good = tour.pathValues(route.path);
      for (const [, name] of route.path.matchAll(/:(\w+)/g)) {
        for (const bad of [...BAD_IDS, ...BAD_TEXT.filter(Boolean)]) {
          const path = fillPath(route.path, { ...good, [name]: bad });
          const { status } =
            route.method === 'GET'
              ? await visitor.get(path)
              : await visitor.post(path).type('form').send({ _csrf: token });
          if (status >= 500)
            outcomes.push({
              request: `${route.method} ${route.path} with ${name}=${JSON.stringify(bad.slice(0, 20))}`,
              status,
            });
        }
      }
    }
    expect(outcomes).toEqual([]);
  });
});
