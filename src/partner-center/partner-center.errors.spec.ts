import { errorFromAuthority, errorFromResponse } from './partner-center.errors';

const context = { operation: 'creating the attestation', requestId: 'req-1', attempts: 4 };

describe('errorFromResponse', () => {
  it("should carry Partner Center's message and code for a rejected request", () => {
    const error = errorFromResponse(
      400,
      JSON.stringify({
        code: 600032,
        message: 'The signatory email address is not well-formed.',
        errorName: 'InvalidSignatoryEmail',
      }),
      context,
    );
    expect(error.kind).toBe('rejected');
    expect(error.message).toBe(
      'Partner Center rejected creating the attestation: The signatory email address is not well-formed. (code 600032)',
    );
    expect(error.details).toEqual({
      status: 400,
      code: 600032,
      errorName: 'InvalidSignatoryEmail',
      requestId: 'req-1',
    });
  });

  it('should map statuses to kinds a caller can act on', () => {
    expect(errorFromResponse(401, '', context).kind).toBe('auth');
    expect(errorFromResponse(403, '', context).kind).toBe('forbidden');
    expect(errorFromResponse(404, '', context).kind).toBe('not_found');
    expect(errorFromResponse(429, '', context).message).toBe(
      'Partner Center is rate-limiting requests; tried 4 times; try again in a few minutes',
    );
    expect(errorFromResponse(503, '<html>Service Unavailable</html>', context)).toMatchObject({
      kind: 'unavailable',
      message: 'Partner Center is not available right now (HTTP 503); tried 4 times; try again later',
    });
    expect(errorFromResponse(302, '', context).kind).toBe('invalid_response');
  });

  it('should strip control characters and cut very long messages', () => {
    const error = errorFromResponse(400, JSON.stringify({ message: `bad\u0000\nthing ${'x'.repeat(2_000)}` }), context);
    expect(error.message).not.toMatch(/[\u0000-\u001f]/);
    expect(error.message.length).toBeLessThan(600);
  });
});

describe('errorFromAuthority', () => {
  it('should point at the app settings when the client is refused', () => {
    const error = errorFromAuthority(
      401,
      JSON.stringify({
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: abc',
      }),
      'app',
      context,
    );
    expect(error.kind).toBe('auth');
    expect(error.message).toBe(
      'Partner Center refused the app credentials: check the tenant id, app id and secret in Partner Center settings (AADSTS7000215: Invalid client secret provided.)',
    );
  });

  it('should ask to reconnect the user when the refresh token is refused', () => {
    const error = errorFromAuthority(
      400,
      JSON.stringify({ error: 'invalid_grant', error_description: 'AADSTS700082: expired' }),
      'user',
      context,
    );
    expect(error.message).toMatch(
      /^The connected Partner Center user's sign-in has expired or was revoked: connect a Partner Center user again/,
    );
  });

  it('should treat an overloaded authority like an overloaded Partner Center', () => {
    expect(errorFromAuthority(503, '', 'app', context).kind).toBe('unavailable');
  });
});
