import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { csrfTokenFrom, setUpFirstAdmin } from '../support/http';
import { eventually, FAST_JOBS_ENV } from '../support/jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { createTestApp, type TestApp } from '../support/test-app';

const HOSTILE = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example' };

// Every absolute link comes from the app's own address (PUBLIC_URL, else where it listens), never from a request's
// Host: anyone may ask for a password reset, and a link to their host would hand them the token.
describe.each([
  ['without TRUST_PROXY', {}],
  ['with TRUST_PROXY=1', { TRUST_PROXY: '1' }],
])('Links in emails and sign-ins %s', (_name, env) => {
  let smtp: TestSmtp;
  let testApp: TestApp;
  let admin: TestAgent;

  beforeAll(async () => {
    smtp = await startSmtp();
    testApp = await createTestApp({ listen: true, env: { ...FAST_JOBS_ENV, SMTP_URL: smtp.url, ...env } });
    admin = (await setUpFirstAdmin(testApp)).agent;
  });
  afterAll(async () => {
    await testApp.close();
    await smtp.stop();
  });

  it("should send a reset link to the app's own address whatever Host the request names", async () => {
    const visitor = request.agent(testApp.server);
    const page = await visitor.get('/password/forgot').set(HOSTILE);
    const asked = await visitor
      .post('/password/forgot')
      .set(HOSTILE)
      .type('form')
      .send({ _csrf: csrfTokenFrom(page.text), email: 'ada@contoso.test' });
    expect(asked.status).toBe(303);
    const mail = await eventually(async () =>
      (await smtp.parsed()).find((m) => /password\/reset\//.test(m.text ?? '')),
    );
    expect(mail.text).toContain(`${testApp.baseUrl}/password/reset/`);
    expect(mail.text).not.toContain('evil.example');
  });

  it("should send Microsoft the app's own callback address whatever Host the request names", async () => {
    const connect = await admin.get('/settings/partner-center/connect').set(HOSTILE);
    expect(connect.status).toBe(303);
    const redirectUri = new URL(connect.headers.location).searchParams.get('redirect_uri');
    expect(redirectUri).toBe(`${testApp.baseUrl}/settings/partner-center/callback`);
  });
});
