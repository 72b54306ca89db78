import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WireError } from '../partner-center.shapes';

// Small helpers for the sandbox's node:http server.

const MAX_REQUEST_BYTES = 64 * 1024;

export class SandboxHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: WireError,
  ) {
    super(body.message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendRaw(
  res: ServerResponse,
  status: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

export function sendHtml(res: ServerResponse, status: number, html: string): void {
  sendRaw(res, status, html, 'text/html; charset=utf-8', PAGE_HEADERS);
}

export function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { Location: location, 'Content-Length': 0 });
  res.end();
}

// Partner Center's error body for a status.
export function errorBody(status: number, message?: string, code?: number, errorName?: string): WireError {
  const defaults: Record<number, [number, string, string]> = {
    400: [400, 'The request is not valid.', 'BadRequest'],
    401: [401, 'The access token is missing, invalid or expired.', 'Unauthorized'],
    403: [403, 'The caller is not allowed to perform this operation.', 'Forbidden'],
    404: [404, 'The resource was not found.', 'NotFound'],
    429: [429, 'Rate limit is exceeded. Try again later.', 'TooManyRequests'],
  };
  const [defaultCode, defaultMessage, defaultName] = defaults[status] ?? [
    status,
    'An internal error occurred. Try again later.',
    'ServiceError',
  ];
  return {
    code: code ?? defaultCode,
    message: message ?? defaultMessage,
    errorName: errorName ?? defaultName,
    isRetryable: status === 429 || status >= 500,
  };
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_REQUEST_BYTES)
      throw new SandboxHttpError(413, errorBody(413, 'The request body is too large.', 413, 'RequestTooLarge'));
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // answered below, as Partner Center does
  }
  throw new SandboxHttpError(400, errorBody(400, 'The request body is not a valid JSON object.'));
}

export async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(req));
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] as string,
  );
}
