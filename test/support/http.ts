import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { TestApp } from './test-app';
import { UsersService } from '../../src/users/users.service';
import type { UserRole } from '../../src/auth/user-role';

export const DEFAULT_PASSWORD = 'correct horse battery staple';

export function csrfTokenFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token in the page');
  return match[1];
}

// An agent with a session: GET a page, take its CSRF token, POST a form the way a browser does.
export async function postForm(agent: TestAgent, pageUrl: string, actionUrl: string, fields: Record<string, string>) {
  const page = await agent.get(pageUrl);
  return agent
    .post(actionUrl)
    .type('form')
    .send({ _csrf: csrfTokenFrom(page.text), ...fields });
}

export async function setUpFirstAdmin(
  testApp: TestApp,
  fields: Partial<Record<'brokerName' | 'name' | 'email' | 'password', string>> = {},
) {
  const agent = request.agent(testApp.server);
  const response = await postForm(agent, '/setup', '/setup', {
    brokerName: 'Contoso Cloud',
    name: 'Ada Admin',
    email: 'ada@contoso.test',
    password: DEFAULT_PASSWORD,
    ...fields,
  });
  return { agent, response };
}

export async function createUser(
  testApp: TestApp,
  brokerId: number,
  email: string,
  role: UserRole = 'operator',
  name = 'Test User',
) {
  return testApp.app.get(UsersService).createUser(brokerId, { email, role, name, password: DEFAULT_PASSWORD });
}

export async function signIn(testApp: TestApp, email: string, password = DEFAULT_PASSWORD) {
  const agent = request.agent(testApp.server);
  const response = await postForm(agent, '/login', '/login', { email, password });
  return { agent, response };
}
