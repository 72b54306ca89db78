import request from 'supertest';
import type { ApiTokenScope } from '../../src/api-tokens/api-token-scope';
import { ApiTokensService } from '../../src/api-tokens/api-tokens.service';
import type { TestApp } from './test-app';

// A token made the way the API access page makes one (the service, with its audit event), for tests of the API.
export async function createApiToken(
  testApp: TestApp,
  brokerId: number,
  options: { name?: string; scope?: ApiTokenScope; expiresAt?: Date | null } = {},
): Promise<string> {
  const { secret } = await testApp.app.get(ApiTokensService).create(brokerId, null, {
    name: options.name ?? 'Provisioning',
    scope: options.scope ?? 'write',
    expiresAt: options.expiresAt ?? null,
  });
  return secret;
}

// Requests with the token in the Authorization header, as an integrator's code sends them.
export function apiClient(testApp: TestApp, token: string) {
  const auth = { Authorization: `Bearer ${token}` };
  return {
    get: (path: string) => request(testApp.server).get(path).set(auth),
    post: (path: string, body?: object) =>
      body === undefined
        ? request(testApp.server).post(path).set(auth)
        : request(testApp.server).post(path).set(auth).send(body),
  };
}
