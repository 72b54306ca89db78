// Errors of the domain, free of HTTP and of views: one filter (AppExceptionFilter) maps them to statuses and pages.
export type FieldMessages = Record<string, string>;

export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

// The thing does not exist in the current broker (another broker's rows are reported the same way).
// `explanation`, when given, is shown to the person (what may have happened); otherwise the page says it generically.
export class NotFoundInBrokerError extends DomainError {
  constructor(
    readonly subject = 'That item',
    readonly explanation?: string,
  ) {
    super(`${subject} was not found`);
  }
}

// The change does not fit the current state (the last admin, a finalize before acceptance, a second open one).
// `link` points to what the user should look at instead, when there is one.
export class ConflictError extends DomainError {
  constructor(
    message: string,
    readonly link?: { href: string; label: string },
  ) {
    super(message);
  }
}

// Input refused, one message per field (shown next to the field).
export class ValidationFailedError extends DomainError {
  constructor(readonly fields: FieldMessages) {
    super(Object.values(fields).join(' '));
  }
}

// An API request sent with an Idempotency-Key that the same token used for a different request.
export class IdempotencyKeyReusedError extends DomainError {}

// What was asked for existed once but can no longer be used (a spent or expired one-time link).
export class GoneError extends DomainError {}

// Too many attempts of one kind for now (guesses, requests): `retryAfterSeconds` says when one more is allowed. The
// message says the wait in words.
export class TooManyAttemptsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

// The request names no one the app knows: no credentials, or ones that are unknown, revoked or expired. The message
// says which, for the integrator reading the answer.
export class NotAuthenticatedError extends DomainError {}

// The actor may not do this (a viewer changing something).
export class NotAllowedError extends DomainError {
  constructor(message = 'You do not have permission to do that') {
    super(message);
  }
}

// A service the app depends on refused what it was sent (`refused`) or could not be reached or understood.
export class UpstreamError extends DomainError {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
  }
}

// The app cannot do this now (its database is busy, unreachable or lost). Nothing was done; `retryAfterSeconds`
// says when trying again may help.
export class UnavailableError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
