import type { OpenAPIObject } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problemTypeUri, type ProblemType } from '../common/problem-details';
import { OPENAPI_PATH, problemAnchor } from './openapi-document';

// The reference page's model, read from the OpenAPI document alone: the page documents exactly what the document
// does, which is what the code declares.

type Schema = Record<string, unknown>;

interface Field {
  name: string;
  nameParts: string[]; // the path cut after each dot, where a narrow column may break it
  type: string;
  required: boolean;
  description: ReturnType<typeof inlineCode>;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const MAX_DEPTH = 4;
const EXAMPLE_DATE = '2026-01-31T09:30:00.000Z';

const schemaName = (ref: string): string => ref.slice(ref.lastIndexOf('/') + 1);

class SchemaReader {
  constructor(private readonly schemas: Record<string, Schema>) {}

  resolve(schema: Schema | undefined): Schema {
    if (!schema) return {};
    if (typeof schema.$ref === 'string') return this.resolve(this.schemas[schemaName(schema.$ref)]);
    if (Array.isArray(schema.allOf) && schema.allOf.length === 1) return this.resolve(schema.allOf[0] as Schema);
    return schema;
  }

  // The schema without its "or null" (3.1's type array, or anyOf beside a reference), and whether it may be null.
  unwrap(schema: Schema | undefined): { schema: Schema; nullable: boolean } {
    const raw = schema ?? {};
    if (Array.isArray(raw.anyOf)) {
      const choices = (raw.anyOf as Schema[]).filter((choice) => choice.type !== 'null');
      return { schema: { ...this.resolve(choices[0]), description: raw.description }, nullable: true };
    }
    const resolved = this.resolve(raw);
    if (Array.isArray(resolved.type)) {
      const types = (resolved.type as string[]).filter((type) => type !== 'null');
      return { schema: { ...resolved, type: types[0] }, nullable: types.length < (resolved.type as string[]).length };
    }
    return { schema: resolved, nullable: false };
  }

  typeText(schema: Schema | undefined): string {
    const { schema: inner, nullable } = this.unwrap(schema);
    let text: string;
    if (Array.isArray(inner.enum)) text = (inner.enum as unknown[]).map((value) => JSON.stringify(value)).join(' | ');
    else if (inner.type === 'array') text = `array of ${this.typeText(inner.items as Schema)}`;
    else if (inner.properties) text = 'object';
    else text = [inner.type ?? 'any', inner.format].filter(Boolean).join(', ');
    return nullable ? `${text} or null` : text;
  }

  // Every field of an object, nested ones by their path (`acceptance.partner.agreedAt`, `data[].id`).
  fields(schema: Schema | undefined, prefix = '', depth = 0): Field[] {
    const { schema: object } = this.unwrap(schema);
    const properties = (object.properties ?? {}) as Record<string, Schema>;
    const required = new Set((object.required ?? []) as string[]);
    return Object.entries(properties).flatMap(([name, property]) => {
      const path = `${prefix}${name}`;
      const { schema: inner } = this.unwrap(property);
      const field: Field = {
        name: path,
        nameParts: path.split(/(?<=\.)/),
        type: this.typeText(property),
        required: required.has(name),
        description: inlineCode(String(property.description ?? inner.description ?? '')),
      };
      if (depth >= MAX_DEPTH) return [field];
      if (inner.type === 'array') {
        const items = this.unwrap(inner.items as Schema).schema;
        return items.properties ? [field, ...this.fields(items, `${path}[].`, depth + 1)] : [field];
      }
      return inner.properties ? [field, ...this.fields(inner, `${path}.`, depth + 1)] : [field];
    });
  }

  example(schema: Schema | undefined, depth = 0): unknown {
    const { schema: inner } = this.unwrap(schema);
    if (inner.example !== undefined) return inner.example;
    if (Array.isArray(inner.enum)) return (inner.enum as unknown[])[0];
    if (inner.type === 'array') return depth >= MAX_DEPTH ? [] : [this.example(inner.items as Schema, depth + 1)];
    if (inner.properties) {
      if (depth >= MAX_DEPTH) return {};
      return Object.fromEntries(
        Object.entries(inner.properties as Record<string, Schema>).map(([name, property]) => [
          name,
          this.example(property, depth + 1),
        ]),
      );
    }
    if (inner.format === 'date-time') return EXAMPLE_DATE;
    if (inner.type === 'integer' || inner.type === 'number') return 1;
    if (inner.type === 'boolean') return true;
    if (inner.type === 'string') return inner.format === 'binary' ? '<file>' : 'text';
    return null;
  }
}

// A route's problem answer names its type by its title (@ApiProblems); a status alone may stand for several.
const problemTypeOf = (status: number, title: string): ProblemType | undefined => {
  const types = Object.keys(PROBLEM_TYPES) as ProblemType[];
  return (
    types.find((type) => PROBLEM_TYPES[type].title === title) ??
    types.find((type) => PROBLEM_TYPES[type].status === status)
  );
};

// Text with `code` spans, as pieces the view prints (escaped) as text or as <code>.
export function inlineCode(text: string): { text?: string; code?: string }[] {
  return text
    .split(/(`[^`]+`)/)
    .filter(Boolean)
    .map((piece) => (piece.startsWith('`') && piece.endsWith('`') ? { code: piece.slice(1, -1) } : { text: piece }));
}

const paragraphs = (text: string) => text.split(/\n\s*\n/).map((paragraph) => inlineCode(paragraph.trim()));

const slug = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]+/g, '-');

export function apiReferenceView(document: OpenAPIObject) {
  const reader = new SchemaReader((document.components?.schemas ?? {}) as Record<string, Schema>);
  const tags = new Map<string, ReturnType<typeof operationView>[]>();
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const tag = operation.tags?.[0] ?? 'Other';
      tags.set(tag, [...(tags.get(tag) ?? []), operationView(reader, method, path, operation)]);
    }
  }
  return {
    title: 'API reference',
    openApiPath: OPENAPI_PATH,
    openApiVersion: document.openapi,
    description: paragraphs(document.info.description ?? ''),
    servers: (document.servers ?? []).map((server) => server.url),
    problemContentType: PROBLEM_CONTENT_TYPE,
    resources: [...tags.entries()].map(([name, operations]) => ({ name, anchor: slug(name), operations })),
    problems: (Object.keys(PROBLEM_TYPES) as ProblemType[]).map((type) => ({
      anchor: problemAnchor(type),
      uri: problemTypeUri(type),
      ...PROBLEM_TYPES[type],
    })),
  };
}

type Operation = OpenAPIObject['paths'][string]['get'] & object;

function operationView(reader: SchemaReader, method: string, path: string, operation: Operation) {
  const responses = Object.entries(operation.responses ?? {}) as unknown as [string, Schema][];
  const success = responses.find(([status]) => status.startsWith('2'));
  const successContent = Object.entries((success?.[1].content ?? {}) as Record<string, { schema?: Schema }>);
  const json = successContent.find(([type]) => type.includes('json'));
  const body = (operation.requestBody as Schema | undefined)?.content as
    Record<string, { schema?: Schema }> | undefined;
  const bodySchema = body?.['application/json']?.schema;
  return {
    id: operation.operationId ?? slug(`${method} ${path}`),
    method: method.toUpperCase(),
    path,
    summary: operation.summary ?? '',
    description: paragraphs(operation.description ?? ''),
    parameters: (operation.parameters ?? []).map((parameter) => {
      const p = parameter as unknown as Schema;
      return {
        name: String(p.name),
        in: String(p.in),
        required: p.required === true,
        type: reader.typeText(p.schema as Schema),
        description: inlineCode(String(p.description ?? '')),
      };
    }),
    requestFields: bodySchema ? reader.fields(bodySchema) : [],
    requestExample: bodySchema ? JSON.stringify(reader.example(bodySchema), null, 2) : null,
    success: success
      ? {
          status: success[0],
          description: String(success[1].description ?? ''),
          contentTypes: successContent.map(([type]) => type),
          fields: json ? reader.fields(json[1].schema) : [],
          example: json ? JSON.stringify(reader.example(json[1].schema), null, 2) : null,
        }
      : null,
    problems: responses
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, response]) => {
        const type = problemTypeOf(Number(status), String(response.description ?? ''));
        return {
          status,
          description: String(response.description ?? ''),
          anchor: type ? problemAnchor(type) : null,
        };
      }),
  };
}
