// Errors of the domain, free of HTTP and of views: one filter (AppExceptionFilter) maps them to statuses and pages.
export type FieldMessages = Record<string, string>;

export class DomainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

// The thing does not exist in the current broker (another broker's rows are reported the same way).
export class NotFoundInBrokerError extends DomainError {
  constructor(readonly subject = 'That item') {
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

// The actor asked too often: refused until `retryAfterSeconds` have passed. The message says so in words.
export class TooManyRequestsError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
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
