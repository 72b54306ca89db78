import { validateEnvironment } from './environment';

describe(validateEnvironment.name, () => {
  it('should give the embedded defaults when nothing is set', () => {
    const env = validateEnvironment({});
    expect(env).toMatchObject({
      PORT: 3000,
      DATA_DIR: 'data',
      PARTNER_CENTER_MODE: 'sandbox',
      SESSION_IDLE_MINUTES: 60,
    });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.SMTP_URL).toBeUndefined();
  });

  it('should treat an empty value as unset', () => {
    expect(validateEnvironment({ PORT: '', DATABASE_URL: '' })).toMatchObject({ PORT: 3000, DATABASE_URL: undefined });
  });

  it('should name each bad variable in one line when values are wrong', () => {
    expect(() =>
      validateEnvironment({ PORT: 'eighty', PARTNER_CENTER_MODE: 'production', DATABASE_URL: 'mysql://x' }),
    ).toThrow(
      /^Invalid configuration: PORT: .* \| DATABASE_URL: must be a postgres:\/\/ URL \| PARTNER_CENTER_MODE: .*$/,
    );
  });

  it("should take the template of Microsoft's acceptance component only as an https URL holding {attestationId}", () => {
    const template = 'https://mca.example.com/accept?attestationId={attestationId}&language={language}';
    expect(validateEnvironment({ PARTNER_CENTER_COMPONENT_URL: template }).PARTNER_CENTER_COMPONENT_URL).toBe(template);
    expect(() => validateEnvironment({ PARTNER_CENTER_COMPONENT_URL: 'https://mca.example.com/accept' })).toThrow(
      'PARTNER_CENTER_COMPONENT_URL must hold {attestationId}',
    );
    expect(() =>
      validateEnvironment({ PARTNER_CENTER_COMPONENT_URL: 'http://mca.example.com/?a={attestationId}' }),
    ).toThrow('PARTNER_CENTER_COMPONENT_URL');
  });

  it('should take HOST only as an IP address, and leave it unset (every address) when empty', () => {
    expect(validateEnvironment({ HOST: '127.0.0.1' }).HOST).toBe('127.0.0.1');
    expect(validateEnvironment({ HOST: '::1' }).HOST).toBe('::1');
    expect(validateEnvironment({ HOST: '' }).HOST).toBeUndefined();
    expect(() => validateEnvironment({ HOST: 'localhost' })).toThrow(
      'HOST: must be an IP address such as 127.0.0.1 or ::1',
    );
  });

  it('should refuse a short APP_SECRET when one is set', () => {
    expect(() => validateEnvironment({ APP_SECRET: 'secret' })).toThrow('APP_SECRET: must be at least 32 characters');
  });

  it('should give the job worker its defaults and refuse settings it cannot run with', () => {
    expect(validateEnvironment({})).toMatchObject({
      JOB_WORKER: 'on',
      JOB_CONCURRENCY: 4,
      JOB_POLL_MS: 1000,
      JOB_LEASE_MS: 60000,
      JOB_RETRY_BASE_MS: 10000,
      JOB_SHUTDOWN_GRACE_MS: 10000,
    });
    expect(() => validateEnvironment({ JOB_WORKER: 'yes', JOB_CONCURRENCY: '0', JOB_LEASE_MS: '10' })).toThrow(
      /^Invalid configuration: JOB_WORKER: .* \| JOB_CONCURRENCY: .* \| JOB_LEASE_MS: .*$/,
    );
  });

  it("should take Sign in with Microsoft's registration as three variables together, and http only on loopback", () => {
    const registration = {
      ENTRA_TENANT_ID: '11111111-2222-4333-8444-555555555555',
      ENTRA_CLIENT_ID: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
      ENTRA_CLIENT_SECRET: 'a secret',
    };
    expect(validateEnvironment({}).ENTRA_AUTHORITY).toBe('https://login.microsoftonline.com');
    expect(validateEnvironment(registration)).toMatchObject(registration);
    expect(() => validateEnvironment({ ENTRA_CLIENT_ID: registration.ENTRA_CLIENT_ID })).toThrow(
      /ENTRA_TENANT_ID: set ENTRA_TENANT_ID, ENTRA_CLIENT_ID and ENTRA_CLIENT_SECRET together.*ENTRA_CLIENT_SECRET:/,
    );
    expect(() => validateEnvironment({ ...registration, ENTRA_TENANT_ID: 'contoso' })).toThrow(
      'ENTRA_TENANT_ID: must be a GUID',
    );
    expect(validateEnvironment({ ENTRA_AUTHORITY: 'http://127.0.0.1:4000' }).ENTRA_AUTHORITY).toBe(
      'http://127.0.0.1:4000',
    );
    for (const authority of ['http://login.example.com', 'http://127.0.0.1.example.com', 'ftp://127.0.0.1'])
      expect(() => validateEnvironment({ ENTRA_AUTHORITY: authority })).toThrow('ENTRA_AUTHORITY');
  });

  it('should limit report requests to 10 an hour per user by default, and refuse a limit or window it cannot keep', () => {
    expect(validateEnvironment({})).toMatchObject({ REPORT_LIMIT_PER_USER: 10, REPORT_LIMIT_WINDOW_SECONDS: 3600 });
    expect(validateEnvironment({ REPORT_LIMIT_PER_USER: '3' }).REPORT_LIMIT_PER_USER).toBe(3);
    expect(() => validateEnvironment({ REPORT_LIMIT_PER_USER: '0', REPORT_LIMIT_WINDOW_SECONDS: '172800' })).toThrow(
      /^Invalid configuration: REPORT_LIMIT_PER_USER: .* \| REPORT_LIMIT_WINDOW_SECONDS: .*$/,
    );
  });

  it('should let an API token make 600 requests a minute by default, and refuse a limit of none', () => {
    expect(validateEnvironment({}).API_RATE_LIMIT_PER_MINUTE).toBe(600);
    expect(validateEnvironment({ API_RATE_LIMIT_PER_MINUTE: '60' }).API_RATE_LIMIT_PER_MINUTE).toBe(60);
    for (const value of ['0', 'lots', '1.5'])
      expect(() => validateEnvironment({ API_RATE_LIMIT_PER_MINUTE: value })).toThrow('API_RATE_LIMIT_PER_MINUTE');
  });
});
