import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pinoHttp } from 'pino-http';
import { httpLoggerOptions } from './logging.module';

// The request log as it ships, on a plain node:http server: what each line holds, and what it never holds.
async function logLines(paths: string[], headers: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pinoHttp(httpLoggerOptions('info'), stream);
  const server: Server = createServer((req, res) => {
    logger(req, res);
    res.statusCode = req.url === '/missing' ? 404 : 200;
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    for (const path of paths) {
      await new Promise<void>((resolve, reject) =>
        request({ port, path, headers }, (res) => res.resume().on('end', resolve))
          .on('error', reject)
          .end(),
      );
    }
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('httpLoggerOptions', () => {
  it('should log one line per request with its id, method, URL, status and time when it ends', async () => {
    const lines = await logLines(['/mca?page=2', '/missing']);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 30,
      req: { id: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, method: 'GET', url: '/mca?page=2' },
      res: { statusCode: 200 },
      responseTime: expect.any(Number) as unknown,
    });
    expect(lines[1]).toMatchObject({ req: { url: '/missing' }, res: { statusCode: 404 } });
  });

  it('should keep headers and cookies out of the line', async () => {
    const [line] = await logLines(['/mca'], { cookie: 'mca.sid=secret', authorization: 'Bearer secret' });
    expect(Object.keys(line.req as object).sort()).toEqual(['id', 'method', 'remoteAddress', 'url']);
    expect(Object.keys(line.res as object)).toEqual(['statusCode']);
    expect(JSON.stringify(line)).not.toContain('secret');
  });

  it("should name the client's address (on a bare server, the socket's; behind a proxy, see deploy e2e)", async () => {
    const [line] = await logLines(['/mca'], { 'x-forwarded-for': '203.0.113.9' });
    expect(line.req).toMatchObject({ remoteAddress: '127.0.0.1' });
  });

  it("should take a proxy's request id when it looks like one", async () => {
    const [line] = await logLines(['/mca'], { 'x-request-id': 'proxy-id-12345' });
    expect(line.req).toMatchObject({ id: 'proxy-id-12345' });
  });

  it("should never log a password reset link's token", async () => {
    const [line] = await logLines(['/password/reset/abcdef123456?x=1']);
    expect(line.req).toMatchObject({ url: '/password/reset/…?x=1' });
  });

  it('should not log health checks and static files', async () => {
    await expect(logLines(['/healthz', '/readyz', '/css/app.css'])).resolves.toEqual([]);
  });
});
