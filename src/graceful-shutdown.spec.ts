import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { closeHttpServer, endConnectionsAfterResponse } from './graceful-shutdown';

interface Answer {
  status: number;
  connection: string | undefined;
  body: string;
}

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) =>
    request({ port, path, agent, host: '127.0.0.1' }, (res: IncomingMessage) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    })
      .on('error', reject)
      .end(),
  );
}

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });

// A server whose /slow requests wait until released, so that a test decides when they finish.
async function startServer() {
  const waiting: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    if (req.url === '/slow') waiting.push(() => res.end('slow done'));
    else res.end('quick');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const started = () => waiting.length;
  const release = () => waiting.splice(0).forEach((finish) => finish());
  return { server, port, started, release };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('endConnectionsAfterResponse', () => {
  it('should answer every later request on a keep-alive connection with Connection: close', async () => {
    const { server, port } = await startServer();
    const agent = new Agent({ keepAlive: true });
    try {
      expect(await get(port, '/quick', agent)).toMatchObject({ connection: 'keep-alive' });
      endConnectionsAfterResponse(server);
      expect(await get(port, '/quick', agent)).toEqual({ status: 200, connection: 'close', body: 'quick' });
    } finally {
      agent.destroy();
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('closeHttpServer', () => {
  it('should stop accepting, close idle connections, answer the running request, then close its connection', async () => {
    const { server, port, started, release } = await startServer();
    const agent = new Agent({ keepAlive: true });
    try {
      // A keep-alive connection left idle by an earlier request, and one with a request running.
      expect(await get(port, '/quick', agent)).toMatchObject({ status: 200, body: 'quick' });
      const slow = get(port, '/slow', agent);
      await until(() => started() === 1);

      let closed = false;
      const closing = closeHttpServer(server, 5000).then((inTime) => ((closed = true), inTime));
      expect(await refused(port)).toBe('ECONNREFUSED');
      expect(closed).toBe(false);

      release();
      expect(await slow).toMatchObject({ status: 200, body: 'slow done' });
      // Resolved once every connection ended, the running request's included.
      await expect(closing).resolves.toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('should cut off a request still running after the timeout', async () => {
    const { server, port, started } = await startServer();
    const agent = new Agent({ keepAlive: true });
    try {
      const slow = get(port, '/slow', agent).catch((error: NodeJS.ErrnoException) => error.code);
      await until(() => started() === 1);
      const began = Date.now();
      await expect(closeHttpServer(server, 200)).resolves.toBe(false);
      expect(Date.now() - began).toBeGreaterThanOrEqual(190);
      expect(await slow).toBe('ECONNRESET');
    } finally {
      agent.destroy();
    }
  });
});
