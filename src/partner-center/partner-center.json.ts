import { PartnerCenterError } from './partner-center.types';

// Guards for JSON from Partner Center, which is untrusted: every read names what was expected, so a changed or
// broken answer becomes one clear `invalid_response` error instead of a crash deeper in the app.
export type JsonObject = Record<string, unknown>;

const MAX_TEXT = 1_000;

export function invalidResponse(operation: string, problem: string): PartnerCenterError {
  return new PartnerCenterError(
    'invalid_response',
    `Partner Center sent an unexpected answer to ${operation} (${problem}); try again later, and report it if it persists`,
  );
}

export function parseJsonText(text: string, operation: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidResponse(operation, 'not valid JSON');
  }
}

export function asObject(value: unknown, operation: string, what: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw invalidResponse(operation, `${what} is not an object`);
  return value as JsonObject;
}

export function asArray(value: unknown, operation: string, what: string): unknown[] {
  if (!Array.isArray(value)) throw invalidResponse(operation, `${what} is not a list`);
  return value;
}

export function requiredString(object: JsonObject, key: string, operation: string, max = MAX_TEXT): string {
  const value = object[key];
  if (typeof value !== 'string' || value.trim() === '') throw invalidResponse(operation, `"${key}" is missing`);
  if (value.length > max) throw invalidResponse(operation, `"${key}" is too long`);
  return value;
}

export function optionalString(object: JsonObject, key: string, operation: string, max = MAX_TEXT): string | null {
  const value = object[key];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') throw invalidResponse(operation, `"${key}" is not text`);
  if (value.length > max) throw invalidResponse(operation, `"${key}" is too long`);
  return value;
}

// Links are shown to users, emailed and framed: only web links, never javascript: or data:.
export function webLink(object: JsonObject, key: string, operation: string, required: boolean): string | null {
  const value = required
    ? requiredString(object, key, operation, 2_000)
    : optionalString(object, key, operation, 2_000);
  if (value === null) return null;
  if (!/^https?:\/\//i.test(value)) throw invalidResponse(operation, `"${key}" is not a web link`);
  return value;
}

export function optionalDate(object: JsonObject, key: string, operation: string): Date | null {
  const text = optionalString(object, key, operation, 64);
  if (text === null) return null;
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) throw invalidResponse(operation, `"${key}" is not a date`);
  return date;
}

export function requiredBoolean(object: JsonObject, key: string, operation: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') throw invalidResponse(operation, `"${key}" is missing`);
  return value;
}
