import { SandboxFaults } from './sandbox-faults';

describe(SandboxFaults.name, () => {
  it('should apply a fault to the matching requests only, as many times as asked', () => {
    const faults = new SandboxFaults();
    faults.add({ path: '/v1/customers', method: 'get', status: 429, times: 2 });
    expect(faults.take('POST', '/v1/customers')).toBeUndefined();
    expect(faults.take('GET', '/v1/agreements')).toBeUndefined();
    expect(faults.take('GET', '/v1/customers?size=5')?.status).toBe(429);
    expect(faults.take('GET', '/v1/customers?size=5')?.status).toBe(429);
    expect(faults.take('GET', '/v1/customers?size=5')).toBeUndefined();
    expect(faults.pending).toBe(0);
  });

  it('should match regular expressions, every path by default, and first come first served', () => {
    const faults = new SandboxFaults();
    faults.add({ path: /\/agreements$/, status: 500 });
    faults.add({ status: 503, times: Infinity });
    expect(faults.take('POST', '/v1/customers/x/agreements')?.status).toBe(500);
    expect(faults.take('POST', '/v1/customers/x/agreements')?.status).toBe(503);
    expect(faults.take('GET', '/anything')?.status).toBe(503);
    faults.clear();
    expect(faults.take('GET', '/anything')).toBeUndefined();
  });
});
