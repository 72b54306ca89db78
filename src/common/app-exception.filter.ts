import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ConflictError,
  DomainError,
  GoneError,
  IdempotencyKeyReusedError,
  NotAllowedError,
  NotAuthenticatedError,
  NotFoundInBrokerError,
  TooManyAttemptsError,
  UnavailableError,
  UpstreamError,
  ValidationFailedError,
  type FieldMessages,
} from './domain-errors';
import { CSRF_REFUSED_MESSAGE, errorPage } from './error-pages';
import { FormErrorsException } from './form-errors.exception';
import { isHtmxRequest } from './htmx';
import {
  isApiRequest,
  PROBLEM_CONTENT_TYPE,
  problemDetails,
  problemTypeOfStatus,
  type ProblemDetails,
  type ProblemType,
} from './problem-details';
import { RedirectException } from './redirect.exception';

interface StatusError {
  status?: unknown;
  statusCode?: unknown;
  code?: unknown;
  expose?: unknown;
  message?: unknown;
}

// Domain errors (src/common/domain-errors.ts) as statuses; they carry no HTTP of their own.
const DOMAIN_STATUS: [abstract new (...args: never[]) => DomainError, number][] = [
  [NotFoundInBrokerError, HttpStatus.NOT_FOUND],
  [ConflictError, HttpStatus.CONFLICT],
  [GoneError, HttpStatus.GONE],
  [TooManyAttemptsError, HttpStatus.TOO_MANY_REQUESTS],
  [ValidationFailedError, HttpStatus.UNPROCESSABLE_ENTITY],
  [IdempotencyKeyReusedError, HttpStatus.UNPROCESSABLE_ENTITY],
  [NotAllowedError, HttpStatus.FORBIDDEN],
  [NotAuthenticatedError, HttpStatus.UNAUTHORIZED],
  [UnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
];

const NEVER_ECHOED = /^(_csrf|password|passwordConfirmation|currentPassword|secret|clientSecret)$/;

// The JSON API's stable problem type of each domain error (a status alone would merge, say, a refused Partner Center
// request with a form's mistake).
const DOMAIN_PROBLEM: [abstract new (...args: never[]) => DomainError, ProblemType][] = [
  [NotFoundInBrokerError, 'not-found'],
  [ConflictError, 'conflict'],
  [GoneError, 'gone'],
  [TooManyAttemptsError, 'rate-limited'],
  [ValidationFailedError, 'validation-failed'],
  [IdempotencyKeyReusedError, 'idempotency-key-reused'],
  [NotAllowedError, 'forbidden'],
  [NotAuthenticatedError, 'unauthenticated'],
  [UnavailableError, 'unavailable'],
];

// Turns every failure into a page a person can act on (or JSON for API clients): the right status, never a stack.
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) return;
    if (isApiRequest(req)) return this.problem(req, res, exception);

    if (exception instanceof RedirectException) return this.redirect(req, res, exception.location);
    if (
      exception instanceof HttpException &&
      exception.getStatus() === HttpStatus.UNAUTHORIZED &&
      !(exception instanceof FormErrorsException)
    ) {
      return this.redirect(req, res, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    if (exception instanceof TooManyAttemptsError) res.set('Retry-After', String(exception.retryAfterSeconds));
    const form = this.formMessages(exception, req);
    if (form) {
      // Reading the form's page can fail in its turn (the record is gone): that failure gets its own page.
      void this.renderForm(req, res, statusOf(exception), form, exception).catch((error: unknown) => {
        delete req.formView;
        this.catch(error, host);
      });
      return;
    }

    const status = statusOf(exception);
    // Expected while the database is busy or gone: its own words say enough, without a stack per request.
    if (exception instanceof UnavailableError) {
      this.logger.warn(`${req.method} ${req.path}: ${exception.message}`);
      res.set('Retry-After', String(exception.retryAfterSeconds));
    } else if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const page = errorPage(status);
    const message = userMessage(exception, status) ?? page.message;
    res.status(status);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ statusCode: status, error: page.title, message });
      return;
    }
    const link = exception instanceof ConflictError ? exception.link : undefined;
    res.render('errors/error', {
      title: page.title,
      status,
      message,
      link,
      layout: isHtmxRequest(req) ? false : undefined,
    });
  }

  // The API's answer: RFC 9457 problem details, with the same words the pages would show.
  private problem(req: Request, res: Response, exception: unknown): void {
    const { status, body, headers } = problemAnswer(req, exception);
    if (status >= 500 && !(exception instanceof UnavailableError))
      this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    res.set(headers).status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private redirect(req: Request, res: Response, location: string): void {
    if (isHtmxRequest(req)) {
      res.set('HX-Redirect', location).status(204).end();
      return;
    }
    res.redirect(303, location);
  }

  // The messages to show on the route's form, when the failure is the input's or the state's (not a missing record,
  // a permission or an outage, which get their own pages).
  private formMessages(exception: unknown, req: Request): FieldMessages | undefined {
    if (exception instanceof FormErrorsException)
      return exception.view || req.formView ? exception.fieldErrors : undefined;
    if (!req.formView) return undefined;
    if (exception instanceof ValidationFailedError) return exception.fields;
    if (
      exception instanceof ConflictError ||
      exception instanceof UpstreamError ||
      exception instanceof GoneError ||
      exception instanceof TooManyAttemptsError
    )
      return { form: exception.message };
    return undefined;
  }

  private async renderForm(
    req: Request,
    res: Response,
    status: number,
    errors: FieldMessages,
    exception: unknown,
  ): Promise<void> {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      Object.entries(body).filter(([key, value]) => !NEVER_ECHOED.test(key) && typeof value === 'string'),
    );
    const fallback = exception instanceof FormErrorsException ? exception : undefined;
    const spec = req.formView ?? { view: fallback?.view as string, data: {} };
    const data =
      typeof spec.data === 'function' ? await spec.data(req, exception, req.formView?.controller as never) : spec.data;
    const formLink = exception instanceof ConflictError ? (exception.link ?? null) : undefined;
    res.status(status);
    res.render(spec.view, {
      ...data,
      ...fallback?.viewData,
      ...(formLink === undefined ? {} : { formLink }),
      values,
      errors,
      layout: isHtmxRequest(req) ? false : undefined,
    });
  }
}

// The problem details of a failure of an API request, and the headers that go with them: what the filter sends, and
// what the Idempotency-Key replay stores (src/api/idempotency.interceptor.ts), computed in this one place.
export function problemAnswer(
  req: Request,
  exception: unknown,
): { status: number; body: ProblemDetails; headers: Record<string, string> } {
  const status = statusOf(exception);
  const headers: Record<string, string> = {};
  if (exception instanceof TooManyAttemptsError || exception instanceof UnavailableError)
    headers['Retry-After'] = String(exception.retryAfterSeconds);
  if (exception instanceof NotAuthenticatedError) headers['WWW-Authenticate'] = 'Bearer';
  const errors =
    exception instanceof ValidationFailedError
      ? exception.fields
      : exception instanceof FormErrorsException
        ? exception.fieldErrors
        : undefined;
  const type: ProblemType = errors
    ? 'validation-failed'
    : exception instanceof UpstreamError
      ? exception.refused
        ? 'upstream-refused'
        : 'upstream-unavailable'
      : exception instanceof DomainError
        ? (DOMAIN_PROBLEM.find(([kind]) => exception instanceof kind)?.[1] ?? problemTypeOfStatus(status))
        : problemTypeOfStatus(status);
  // A page says "not found" in its own words; an integrator is told which thing was not found.
  const detail =
    exception instanceof NotFoundInBrokerError && !exception.explanation
      ? exception.message
      : (userMessage(exception, status) ?? errorPage(status).title);
  const body = problemDetails(type, req, detail, {
    status,
    errors,
  });
  return { status, body, headers };
}

function statusOf(exception: unknown): number {
  if (exception instanceof HttpException) return exception.getStatus();
  if (exception instanceof UpstreamError)
    return exception.refused ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.BAD_GATEWAY;
  if (exception instanceof DomainError) return DOMAIN_STATUS.find(([type]) => exception instanceof type)?.[1] ?? 500;
  const candidate = exception as StatusError | null;
  const status = Number(candidate?.status ?? candidate?.statusCode);
  return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
}

// Only messages written for people: our own exceptions and the CSRF refusal; never an internal error's text.
function userMessage(exception: unknown, status: number): string | undefined {
  if ((exception as StatusError | null)?.code === 'EBADCSRFTOKEN') return CSRF_REFUSED_MESSAGE;
  if (exception instanceof FormErrorsException) return Object.values(exception.fieldErrors).join(' ');
  if (exception instanceof NotFoundInBrokerError) return exception.explanation;
  if (exception instanceof UnavailableError) return exception.message;
  if (exception instanceof DomainError && status < 500) return exception.message;
  if (exception instanceof HttpException && status < 500) {
    const response = exception.getResponse();
    const message = typeof response === 'string' ? response : (response as { message?: unknown }).message;
    if (
      typeof message === 'string' &&
      !/^(Not Found|Forbidden|Bad Request|Unauthorized)$/.test(message) &&
      !message.startsWith('Cannot ')
    ) {
      return message;
    }
  }
  return undefined;
}
