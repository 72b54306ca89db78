import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ConflictError,
  DomainError,
  NotAllowedError,
  NotFoundInBrokerError,
  UnavailableError,
  UpstreamError,
  ValidationFailedError,
  type FieldMessages,
} from './domain-errors';
import { CSRF_REFUSED_MESSAGE, errorPage } from './error-pages';
import { FormErrorsException } from './form-errors.exception';
import { isHtmxRequest } from './htmx';
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
  [ValidationFailedError, HttpStatus.UNPROCESSABLE_ENTITY],
  [NotAllowedError, HttpStatus.FORBIDDEN],
  [UnavailableError, HttpStatus.SERVICE_UNAVAILABLE],
];

const NEVER_ECHOED = /^(_csrf|password|passwordConfirmation|currentPassword|secret|clientSecret)$/;

// Turns every failure into a page a person can act on (or JSON for API clients): the right status, never a stack.
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const req = ctx.getRequest<Request>();
    const res = ctx.getResponse<Response>();
    if (res.headersSent) return;

    if (exception instanceof RedirectException) return this.redirect(req, res, exception.location);
    if (
      exception instanceof HttpException &&
      exception.getStatus() === HttpStatus.UNAUTHORIZED &&
      !(exception instanceof FormErrorsException)
    ) {
      return this.redirect(req, res, `/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    if (exception instanceof FormErrorsException && (exception.view || req.formView)) {
      return this.renderForm(req, res, exception.getStatus(), exception.fieldErrors, {
        view: exception.view,
        data: exception.viewData,
      });
    }
    if (exception instanceof ValidationFailedError && req.formView) {
      return this.renderForm(req, res, HttpStatus.UNPROCESSABLE_ENTITY, exception.fields, {});
    }

    const status = this.statusOf(exception);
    // Expected while the database is busy or gone: its own words say enough, without a stack per request.
    if (exception instanceof UnavailableError) {
      this.logger.warn(`${req.method} ${req.path}: ${exception.message}`);
      res.set('Retry-After', String(exception.retryAfterSeconds));
    } else if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const page = errorPage(status);
    const message = this.userMessage(exception, status) ?? page.message;
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

  private redirect(req: Request, res: Response, location: string): void {
    if (isHtmxRequest(req)) {
      res.set('HX-Redirect', location).status(204).end();
      return;
    }
    res.redirect(303, location);
  }

  private renderForm(
    req: Request,
    res: Response,
    status: number,
    errors: FieldMessages,
    fallback: { view?: string; data?: Record<string, unknown> },
  ): void {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      Object.entries(body).filter(([key, value]) => !NEVER_ECHOED.test(key) && typeof value === 'string'),
    );
    const spec = req.formView ?? { view: fallback.view as string, data: {} };
    res.status(status);
    res.render(spec.view, {
      ...spec.data,
      ...fallback.data,
      values,
      errors,
      layout: isHtmxRequest(req) ? false : undefined,
    });
  }

  private statusOf(exception: unknown): number {
    if (exception instanceof HttpException) return exception.getStatus();
    if (exception instanceof UpstreamError)
      return exception.refused ? HttpStatus.UNPROCESSABLE_ENTITY : HttpStatus.BAD_GATEWAY;
    if (exception instanceof DomainError) return DOMAIN_STATUS.find(([type]) => exception instanceof type)?.[1] ?? 500;
    const candidate = exception as StatusError | null;
    const status = Number(candidate?.status ?? candidate?.statusCode);
    return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
  }

  // Only messages written for people: our own exceptions and the CSRF refusal; never an internal error's text.
  private userMessage(exception: unknown, status: number): string | undefined {
    if ((exception as StatusError | null)?.code === 'EBADCSRFTOKEN') return CSRF_REFUSED_MESSAGE;
    if (exception instanceof FormErrorsException) return Object.values(exception.fieldErrors).join(' ');
    if (exception instanceof NotFoundInBrokerError) return undefined;
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
}
