import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
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
      return this.renderForm(req, res, exception);
    }

    const status = this.statusOf(exception);
    if (status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    const page = errorPage(status);
    const message = this.userMessage(exception, status) ?? page.message;
    res.status(status);
    if (req.accepts(['html', 'json']) === 'json') {
      res.json({ statusCode: status, error: page.title, message });
      return;
    }
    res.render('errors/error', { title: page.title, status, message, layout: isHtmxRequest(req) ? false : undefined });
  }

  private redirect(req: Request, res: Response, location: string): void {
    if (isHtmxRequest(req)) {
      res.set('HX-Redirect', location).status(204).end();
      return;
    }
    res.redirect(303, location);
  }

  private renderForm(req: Request, res: Response, exception: FormErrorsException): void {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(
      Object.entries(body).filter(([key, value]) => !NEVER_ECHOED.test(key) && typeof value === 'string'),
    );
    const spec = req.formView ?? { view: exception.view as string, data: {} };
    res.status(exception.getStatus());
    res.render(spec.view, {
      ...spec.data,
      ...exception.viewData,
      values,
      errors: exception.fieldErrors,
      layout: isHtmxRequest(req) ? false : undefined,
    });
  }

  private statusOf(exception: unknown): number {
    if (exception instanceof HttpException) return exception.getStatus();
    const candidate = exception as StatusError | null;
    const status = Number(candidate?.status ?? candidate?.statusCode);
    return Number.isInteger(status) && status >= 400 && status < 600 ? status : 500;
  }

  // Only messages written for people: our own exceptions and the CSRF refusal; never an internal error's text.
  private userMessage(exception: unknown, status: number): string | undefined {
    if ((exception as StatusError | null)?.code === 'EBADCSRFTOKEN') return CSRF_REFUSED_MESSAGE;
    if (exception instanceof FormErrorsException) return Object.values(exception.fieldErrors).join(' ');
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
