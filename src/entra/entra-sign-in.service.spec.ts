import { discoverEntra, insecureRequestsAllowed } from './entra-sign-in.service';

const REGISTRATION = {
  tenantId: '11111111-2222-4333-8444-555555555555',
  clientId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
  clientSecret: 'secret',
};

describe('Entra ID discovery', () => {
  it('should allow plain http only for a provider on this machine', () => {
    expect(insecureRequestsAllowed(new URL('http://127.0.0.1:3200/t/v2.0'))).toBe(true);
    expect(insecureRequestsAllowed(new URL('http://localhost:3200/t/v2.0'))).toBe(true);
    expect(insecureRequestsAllowed(new URL('http://[::1]:3200/t/v2.0'))).toBe(true);
    expect(insecureRequestsAllowed(new URL('http://login.example.test/t/v2.0'))).toBe(false);
    expect(insecureRequestsAllowed(new URL('http://127.0.0.1.example.test/t/v2.0'))).toBe(false);
    expect(insecureRequestsAllowed(new URL('https://login.microsoftonline.com/t/v2.0'))).toBe(false);
  });

  it('should refuse an http authority elsewhere before any request is sent', async () => {
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    try {
      await expect(discoverEntra('http://login.example.test', REGISTRATION, 1)).rejects.toThrow(/HTTPS/i);
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      fetchSpy.mockRestore();
    }
  });
});
