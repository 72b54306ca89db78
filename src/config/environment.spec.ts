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

  it('should refuse a short APP_SECRET when one is set', () => {
    expect(() => validateEnvironment({ APP_SECRET: 'secret' })).toThrow('APP_SECRET: must be at least 32 characters');
  });
});
