import type { ArgumentsHost } from '@nestjs/common';
import { AppExceptionFilter } from './app-exception.filter';
import {
  ConflictError,
  NotAllowedError,
  NotFoundInBrokerError,
  TooManyAttemptsError,
  UpstreamError,
  ValidationFailedError,
} from './domain-errors';

interface Rendered {
  headers: Record<string, string>;
  status?: number;
  view?: string;
  data?: Record<string, unknown>;
}

// A request and response just real enough for the filter: what it set is what a browser would get.
function handle(exception: unknown, request: Record<string, unknown> = {}): Rendered {
  const rendered: Rendered = { headers: {} };
  const req = { get: () => undefined, accepts: () => 'html', body: {}, originalUrl: '/x', ...request };
  const res = {
    headersSent: false,
    status(code: number) {
      rendered.status = code;
      return res;
    },
    set(name: string, value: string) {
      rendered.headers[name] = value;
      return res;
    },
    render(view: string, data: Record<string, unknown>) {
      rendered.view = view;
      rendered.data = data;
    },
  };
  const host = { switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }) } as unknown as ArgumentsHost;
  new AppExceptionFilter().catch(exception, host);
  return rendered;
}

describe('AppExceptionFilter and the domain errors', () => {
  it('should show a thing missing from the broker as the 404 page, naming nothing', () => {
    const page = handle(new NotFoundInBrokerError('User 12'));
    expect(page).toMatchObject({ status: 404, view: 'errors/error', data: { title: 'Page not found' } });
    expect(JSON.stringify(page.data)).not.toContain('User 12');
  });

  it('should show a conflict as a 409 page with its message and link', () => {
    const link = { href: '/users', label: 'Back to users' };
    expect(handle(new ConflictError('This is the last admin.', link))).toMatchObject({
      status: 409,
      view: 'errors/error',
      data: { message: 'This is the last admin.', link },
    });
  });

  it("should show refused input in the route's form view, next to the fields, keeping what was typed", () => {
    const page = handle(new ValidationFailedError({ email: 'Taken' }), {
      formView: { view: 'users/new', data: { title: 'Add a user' } },
      body: { email: 'a@b.test', password: 'never echoed' },
    });
    expect(page).toMatchObject({
      status: 422,
      view: 'users/new',
      data: { title: 'Add a user', errors: { email: 'Taken' }, values: { email: 'a@b.test' } },
    });
    expect(page.data?.values).not.toHaveProperty('password');
    expect(handle(new ValidationFailedError({ email: 'Taken' }))).toMatchObject({
      status: 422,
      view: 'errors/error',
      data: { message: 'Taken' },
    });
  });

  it('should refuse a request made too often with 429 and Retry-After, above its form or as a page', () => {
    const refusal = new TooManyAttemptsError('Too many reports. Try again in 5 minutes.', 300);
    expect(handle(refusal, { formView: { view: 'reports/index', data: {} } })).toMatchObject({
      headers: { 'Retry-After': '300' },
      status: 429,
      view: 'reports/index',
      data: { errors: { form: 'Too many reports. Try again in 5 minutes.' } },
    });
    expect(handle(refusal)).toMatchObject({
      status: 429,
      view: 'errors/error',
      data: { message: 'Too many reports. Try again in 5 minutes.' },
    });
  });

  it('should show an action the actor may not take as a 403 page with its message', () => {
    expect(handle(new NotAllowedError('Viewers cannot sync'))).toMatchObject({
      status: 403,
      data: { message: 'Viewers cannot sync' },
    });
  });

  it("should show a service's refusal as 422 with its message, and its absence as 502 without its details", () => {
    expect(handle(new UpstreamError('The email is not valid', true))).toMatchObject({
      status: 422,
      data: { message: 'The email is not valid' },
    });
    const unreachable = handle(new UpstreamError('connect ECONNREFUSED 10.0.0.7:443', false));
    expect(unreachable.status).toBe(502);
    expect(JSON.stringify(unreachable.data)).not.toContain('ECONNREFUSED');
  });
});
