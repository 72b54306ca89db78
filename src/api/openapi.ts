import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_TYPES, problemTypeUri, type ProblemType } from '../common/problem-details';
import { appConfig, type AppConfig } from '../config/app.config';
import { ApiModule } from './api.module';
import { API_REFERENCE_PATH, OpenApiDocument, problemAnchor } from './openapi-document';

const DESCRIPTION = [
  "MCA Manager's JSON API: read tenants' Microsoft Customer Agreement status, create and finalize attestations,",
  'start a sync and collect reports, as the pages of the app do.',
  '',
  'Authenticate with an API token from the "API access" page: `Authorization: Bearer mcam_…`. A read token may',
  'call every GET; the POST routes need a read-and-write token. Every answer is JSON; every error is an RFC 9457',
  '`application/problem+json` document whose `type` is one of the problem types below. Lists return',
  '`{ "data": [...], "next": "<url>" | null }`: follow `next` until it is null.',
].join('\n');

// OpenAPI 3.1 has no `nullable`: a schema that may be null says so in its type (or, beside a reference, as a second
// choice). @nestjs/swagger writes 3.0's keyword, so the document is rewritten once it is built.
export function withoutNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutNullable);
  if (node === null || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const schema = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, withoutNullable(value)]));
  if (nullable !== true) return schema;
  // A reference (or an allOf around one) is a second choice beside null: with the type widened instead, the allOf
  // would still refuse null.
  if (schema.$ref !== undefined || schema.allOf !== undefined) {
    const { description, type: _object, ...choice } = schema;
    return { ...(description === undefined ? {} : { description }), anyOf: [choice, { type: 'null' }] };
  }
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  return schema;
}

// The problem types of the API: each `type` URI, its status and its title, and where the reference page explains it.
function problemTypesSchema() {
  return {
    type: 'string',
    description: 'A stable URI reference per kind of error; explained at the API reference page',
    enum: (Object.keys(PROBLEM_TYPES) as ProblemType[]).map(problemTypeUri),
    'x-problem-types': (Object.keys(PROBLEM_TYPES) as ProblemType[]).map((type) => ({
      type: problemTypeUri(type),
      status: PROBLEM_TYPES[type].status,
      title: PROBLEM_TYPES[type].title,
      reference: `${API_REFERENCE_PATH}#${problemAnchor(type)}`,
    })),
  };
}

// The document of the API's routes (the controllers of ApiModule), generated from their decorators.
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = app.get<AppConfig>(appConfig.KEY);
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('MCA Manager API')
    .setDescription(DESCRIPTION)
    .setVersion('1')
    .setExternalDoc('API reference', API_REFERENCE_PATH)
    .addServer(config.publicUrl?.replace(/\/+$/, '') || '/', 'This installation')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token from the "API access" page' });
  const document = SwaggerModule.createDocument(app, builder.build(), {
    include: [ApiModule],
    operationIdFactory: (_controller, method) => method,
  });
  const schemas = document.components?.schemas ?? {};
  const problem = schemas.ProblemDto as { properties: Record<string, unknown> } | undefined;
  if (problem) problem.properties.type = problemTypesSchema();
  return withoutNullable(document) as OpenAPIObject;
}

export function publishOpenApiDocument(app: INestApplication): void {
  app.get(OpenApiDocument).publish(buildOpenApiDocument(app));
}
