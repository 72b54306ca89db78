import type { Response } from 'supertest';
import type TestAgent from 'supertest/lib/agent';

// "Connect a Partner Center user" end to end: the app sends the admin to the sandbox's sign-in page, the admin
// signs in there, and the sandbox sends the browser back to the app's callback with a code.
export async function connectPartnerCenterUser(agent: TestAgent): Promise<Response> {
  const start = await agent.get('/settings/partner-center/connect');
  if (start.status !== 303) throw new Error(`Connect answered ${start.status}`);
  const authorizeUrl = new URL(start.headers.location as string);
  const page = await (await fetch(authorizeUrl)).text();
  const action = /<form method="post" action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error('No sign-in form on the sandbox page');
  const fields = new URLSearchParams(
    [...page.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
      (m) => [m[1], m[2].replace(/&amp;/g, '&')] as [string, string],
    ),
  );
  const signedIn = await fetch(new URL(action.replace(/&amp;/g, '&'), authorizeUrl), {
    method: 'POST',
    body: fields,
    redirect: 'manual',
  });
  const back = new URL(signedIn.headers.get('location') as string);
  return agent.get(`${back.pathname}${back.search}`);
}
