import { fork, type ChildProcess } from 'node:child_process';
import { PartnerCenterSandbox } from '../src/partner-center/sandbox/partner-center-sandbox';

// The Partner Center sandbox in a process of its own: it counts every call the app makes, and neither its CPU nor
// its pauses (parsing and saving a state file of 100,000 customers) fall on the app or on the bench's load loops.

type Request = { type: 'calls' };
type Reply = { type: 'started'; baseUrl: string } | { type: 'calls'; calls: [string, number][] };

export interface SandboxProcess {
  baseUrl: string;
  pid: number;
  callCounts(): Promise<Map<string, number>>;
  stop(): Promise<void>;
}

function reply(child: ChildProcess, type: Reply['type']): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: Reply) => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`The sandbox process exited with ${code}`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

export async function startSandboxProcess(stateFile: string, port: number): Promise<SandboxProcess> {
  const child = fork(__filename, [stateFile, String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const started = (await reply(child, 'started')) as Extract<Reply, { type: 'started' }>;
  return {
    baseUrl: started.baseUrl,
    pid: child.pid!,
    async callCounts() {
      const answer = reply(child, 'calls');
      child.send({ type: 'calls' } satisfies Request);
      return new Map(((await answer) as Extract<Reply, { type: 'calls' }>).calls);
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function serve(stateFile: string, port: number): Promise<void> {
  const sandbox = new PartnerCenterSandbox({ stateFile, port });
  await sandbox.start();
  const send = (message: Reply) => process.send?.(message);
  process.on('message', (message: Request) => {
    if (message.type === 'calls') send({ type: 'calls', calls: [...sandbox.callCounts] });
  });
  process.once('SIGTERM', () => void sandbox.stop().then(() => process.exit(0)));
  send({ type: 'started', baseUrl: sandbox.baseUrl });
}

if (require.main === module) {
  serve(process.argv[2], Number(process.argv[3])).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
