import request from 'supertest';
import { OPENAPI_PATH } from '../../src/api/openapi-document';
import {
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPES,
  problemTypeUri,
  type ProblemType,
} from '../../src/common/problem-details';
import { validateOpenApi } from '../support/openapi';
import { routesOf } from '../support/routes';
import { createTestApp, type TestApp } from '../support/test-app';

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: Record<string, unknown> }> }>;
}
type Document = {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }>; schemas: Record<string, unknown> };
};

// Routes under /api/v1 that are not operations of the API: the document itself, and the problem types' links to
// their explanation on the reference page (both public, and neither JSON an integrator's code calls).
const NOT_OPERATIONS = ['GET /api/v1/openapi.json', 'GET /api/v1/problems/:type'];

const keysNamed = (node: unknown, name: string, at = '#'): string[] => {
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => [
    ...(key === name ? [`${at}/${key}`] : []),
    ...keysNamed(value, name, `${at}/${key}`),
  ]);
};

describe('OpenAPI document', () => {
  let testApp: TestApp;
  let document: Document;

  beforeAll(async () => {
    testApp = await createTestApp();
    const response = await request(testApp.server).get(OPENAPI_PATH).expect(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    document = response.body as Document;
  });
  afterAll(() => testApp.close());

  it('is served without a token and is a valid OpenAPI 3.1 document', async () => {
    expect(document.openapi).toBe('3.1.0');
    const validation = await validateOpenApi(document);
    expect(validation.errors).toBeNull();
    expect(validation).toMatchObject({ valid: true, version: '3.1' });
    // 3.0's `nullable` is no keyword of 3.1 (the validator lets unknown keywords pass): null is a type there.
    expect(keysNamed(document, 'nullable')).toEqual([]);
  });

  it('says how to authenticate, where the API is, and lists every problem type', () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.servers.length).toBeGreaterThan(0);
    const problem = document.components.schemas.ProblemDto as { properties: { type: { enum: string[] } } };
    expect(problem.properties.type.enum).toEqual((Object.keys(PROBLEM_TYPES) as ProblemType[]).map(problemTypeUri));
  });

  it('has an operation for every API route Nest registered, and a route for every operation', () => {
    const registered = routesOf(testApp)
      .filter((route) => route.path.startsWith('/api/v1/'))
      .map((route) => `${route.method} ${route.path}`)
      .filter((route) => !NOT_OPERATIONS.includes(route));
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    );
    expect(registered.length).toBeGreaterThan(5);
    expect(new Set(documented)).toEqual(new Set(registered));
    expect(documented).toHaveLength(new Set(documented).size);
  });

  it('documents, for every operation, an id, a typed success answer and the unauthenticated problem', () => {
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
    const ids = operations.map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(operations.length);
    for (const { name, operation } of operations) {
      const context = `${name}: ${JSON.stringify(operation.responses)}`;
      expect([name, Boolean(operation.operationId && operation.summary && operation.tags?.length)]).toEqual([
        name,
        true,
      ]);
      expect([name, operation.security]).toEqual([name, [{ bearer: [] }]]);
      const success = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      expect([context, success.length]).toEqual([context, 1]);
      const contents = Object.values(success[0][1].content ?? {});
      expect([context, contents.length > 0]).toEqual([context, true]);
      for (const content of contents)
        expect([context, Boolean(content.schema?.$ref || content.schema?.type)]).toEqual([context, true]);
      const unauthenticated = operation.responses['401']?.content?.[PROBLEM_CONTENT_TYPE]?.schema;
      expect([context, unauthenticated]).toEqual([context, { $ref: '#/components/schemas/ProblemDto' }]);
    }
  });

  it('is shown to people as the reference page, without signing in or JavaScript: every operation, field and problem', async () => {
    const page = await request(testApp.server).get('/api-reference').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    const html = page.text.replace(/<wbr>/g, '');
    expect(html).toContain('<h2 id="authentication-title">Authentication</h2>');
    const schemas = document.components.schemas as Record<string, { properties?: Record<string, unknown> }>;
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const section = html.slice(html.indexOf(`id="${operation.operationId}"`));
        expect([operation.operationId, section.length > 0]).toEqual([operation.operationId, true]);
        expect(section).toMatch(
          new RegExp(`^[^]*?>${method.toUpperCase()}</span> <code class="api-path">${path}</code>`),
        );
        const success = Object.entries(operation.responses).find(([status]) => status.startsWith('2'))![1];
        const ref = success.content?.['application/json']?.schema?.$ref as string | undefined;
        const fields = ref ? Object.keys(schemas[ref.split('/').pop()!].properties ?? {}) : [];
        const operationHtml = section.slice(0, section.indexOf('<section'));
        for (const field of fields)
          expect([operation.operationId, operationHtml]).toEqual([
            operation.operationId,
            expect.stringContaining(`<code>${field}</code>`),
          ]);
        if (ref) expect(operationHtml).toContain('Example response');
      }
    }
    for (const type of Object.keys(PROBLEM_TYPES)) expect(html).toContain(`<dt id="problem-${type}">`);
  });

  it('sends each problem type to its section of the reference page', async () => {
    for (const type of Object.keys(PROBLEM_TYPES)) {
      const response = await request(testApp.server)
        .get(problemTypeUri(type as ProblemType))
        .expect(303);
      expect(response.headers.location).toBe(`/api-reference#problem-${type}`);
    }
    const unknown = await request(testApp.server).get('/api/v1/problems/no-such-type').expect(404);
    expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
  });
});
