import { parseErrorBody, type ErrorBody } from './partner-center.shapes';
import { PartnerCenterError } from './partner-center.types';

// Turns what Partner Center or Entra answered into an error whose message tells a user what to do next.
// `operation` reads as a phrase: "listing customers", "creating the attestation".

export interface FailureContext {
  operation: string;
  requestId: string;
  attempts: number;
  forbiddenHint?: string; // what a 403 means for this operation, in place of the general advice
}

const said = (body: ErrorBody) => (body.message ? `: ${body.message}` : '');
const codeOf = (body: ErrorBody) => (body.code !== undefined ? ` (code ${body.code})` : '');

export function errorFromResponse(status: number, text: string, context: FailureContext): PartnerCenterError {
  const body = parseErrorBody(text);
  const details = { status, code: body.code, errorName: body.errorName, requestId: context.requestId };
  const tried = `tried ${context.attempts} time${context.attempts === 1 ? '' : 's'}`;
  if (status === 401) {
    return new PartnerCenterError(
      'auth',
      `Partner Center refused the access token while ${context.operation}, even after signing in again: check that the app has access to the Partner Center API in Partner Center settings`,
      details,
    );
  }
  if (status === 403) {
    return new PartnerCenterError(
      'forbidden',
      `Partner Center did not allow ${context.operation}${said(body)}${codeOf(body)}; ${context.forbiddenHint ?? "check the app's and the connected user's Partner Center roles and the reseller relationship with the customer"}`,
      details,
    );
  }
  if (status === 404)
    return new PartnerCenterError(
      'not_found',
      `Partner Center found nothing when ${context.operation}${said(body)}`,
      details,
    );
  if (status === 429)
    return new PartnerCenterError(
      'rate_limited',
      `Partner Center is rate-limiting requests; ${tried}; try again in a few minutes`,
      details,
    );
  if (status >= 500)
    return new PartnerCenterError(
      'unavailable',
      `Partner Center is not available right now (HTTP ${status}${said(body)}); ${tried}; try again later`,
      details,
    );
  if (status >= 400)
    return new PartnerCenterError(
      'rejected',
      `Partner Center rejected ${context.operation}${said(body) || ` (HTTP ${status})`}${codeOf(body)}`,
      details,
    );
  return new PartnerCenterError(
    'invalid_response',
    `Partner Center answered ${context.operation} with an unexpected HTTP status ${status}; try again later`,
    details,
  );
}

export type GrantKind = 'app' | 'user' | 'code';

// Entra answers 400/401 with `{error, error_description}`; which setting to fix depends on the grant.
export function errorFromAuthority(
  status: number,
  text: string,
  grant: GrantKind,
  context: FailureContext,
): PartnerCenterError {
  if (status === 429 || status >= 500)
    return errorFromResponse(status, text, { ...context, operation: 'signing in to Partner Center' });
  const body = parseErrorBody(text);
  const details = { status, errorName: body.oauthError, requestId: context.requestId };
  const reason = body.message
    ? ` (${body.message
        .split(/\r?\n|Trace ID/)[0]
        .trim()
        .slice(0, 200)})`
    : '';
  if (body.oauthError === 'invalid_grant' && grant === 'user') {
    return new PartnerCenterError(
      'auth',
      `The connected Partner Center user's sign-in has expired or was revoked: connect a Partner Center user again in Partner Center settings${reason}`,
      details,
    );
  }
  if (body.oauthError === 'invalid_grant' && grant === 'code') {
    return new PartnerCenterError(
      'auth',
      `Microsoft did not accept the sign-in (the code may have expired or been used already): connect the Partner Center user again${reason}`,
      details,
    );
  }
  return new PartnerCenterError(
    'auth',
    `Partner Center refused the app credentials: check the tenant id, app id and secret in Partner Center settings${reason}`,
    details,
  );
}

export function timeoutError(context: FailureContext, timeoutMs: number): PartnerCenterError {
  const seconds = Math.max(1, Math.round(timeoutMs / 1000));
  return new PartnerCenterError(
    'timeout',
    `Partner Center did not answer within ${seconds} second${seconds === 1 ? '' : 's'} while ${context.operation}; try again later`,
    { requestId: context.requestId },
  );
}

export function unreachableError(url: string, cause: unknown, context: FailureContext): PartnerCenterError {
  const code = (cause as { cause?: { code?: unknown } } | null)?.cause?.code;
  const why = typeof code === 'string' ? ` (${code})` : '';
  return new PartnerCenterError(
    'unavailable',
    `Could not reach Partner Center at ${new URL(url).host}${why}; tried ${context.attempts} times; check the network and the Partner Center settings, or try again later`,
    { requestId: context.requestId },
  );
}

export function tooLargeError(context: FailureContext, maxBytes: number): PartnerCenterError {
  const megabytes = Math.round((maxBytes / (1024 * 1024)) * 10) / 10;
  return new PartnerCenterError(
    'invalid_response',
    `Partner Center sent an answer larger than ${megabytes} MB while ${context.operation}; it was not read`,
    { requestId: context.requestId },
  );
}
