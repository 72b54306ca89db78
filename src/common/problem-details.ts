import type { Request } from 'express';
import type { FieldMessages } from './domain-errors';

// The JSON API lives under this prefix: its requests carry a bearer token, never the session cookie, and its
// errors are RFC 9457 problem details rather than pages.
export const API_PREFIX = '/api/';

export const isApiRequest = (req: Request): boolean => req.originalUrl.startsWith(API_PREFIX);

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

// One stable `type` per kind of error, so that an integrator's code can branch on it; each is a section of the API
// reference page (`/api/v1/problems/<slug>` is a URI reference relative to the app).
export const PROBLEM_TYPES = {
  'bad-request': { status: 400, title: 'The request could not be read' },
  unauthenticated: { status: 401, title: 'No valid API token' },
  forbidden: { status: 403, title: 'The token may not do this' },
  'not-found': { status: 404, title: 'Not found' },
  'method-not-allowed': { status: 405, title: 'Method not allowed' },
  conflict: { status: 409, title: 'The change does not fit the current state' },
  gone: { status: 410, title: 'No longer available' },
  'payload-too-large': { status: 413, title: 'The body is too large' },
  'unsupported-media-type': { status: 415, title: 'The body must be JSON' },
  'validation-failed': { status: 422, title: 'Some fields need attention' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used for a different request' },
  'upstream-refused': { status: 422, title: 'Microsoft Partner Center refused the request' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Something went wrong on our side' },
  'upstream-unavailable': { status: 502, title: 'Microsoft Partner Center could not be reached' },
  unavailable: { status: 503, title: 'The service is unavailable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export const problemTypeUri = (type: ProblemType): string => `/api/v1/problems/${type}`;

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  errors?: FieldMessages; // validation-failed: one message per field, the same words as the page's form
}

export function problemDetails(
  type: ProblemType,
  req: Request,
  detail: string,
  extra: { status?: number; errors?: FieldMessages } = {},
): ProblemDetails {
  const { status, title } = PROBLEM_TYPES[type];
  return {
    type: problemTypeUri(type),
    title,
    status: extra.status ?? status,
    detail,
    instance: req.originalUrl,
    ...(extra.errors ? { errors: extra.errors } : {}),
  };
}

// The type for a status that no domain error names (a framework's own refusal, an unknown route).
export function problemTypeOfStatus(status: number): ProblemType {
  const match = (Object.keys(PROBLEM_TYPES) as ProblemType[]).find((type) => PROBLEM_TYPES[type].status === status);
  return match ?? (status >= 500 ? 'internal' : 'bad-request');
}
