import { simpleParser, type ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface TestSmtp {
  url: string;
  received: string[];
  parsed(): Promise<ParsedMail[]>;
  // Holds each message's final answer (the client waits mid-send) until `open` accepts the held messages or `drop`
  // forgets them unanswered (their sender died meanwhile).
  holdAnswers(): { open(): void; drop(): void; arrived: Promise<void> };
  stop(): Promise<void>;
  // Listens again on the same port (a server that was down and is back).
  start(): Promise<void>;
}

// A real SMTP server on loopback that keeps every message it accepted.
export async function startSmtp(port = 0): Promise<TestSmtp> {
  const received: string[] = [];
  let hold: { held: Promise<boolean>; arrived: () => void } | null = null;
  let server: SMTPServer;
  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const current = hold;
          const accept = () => {
            received.push(Buffer.concat(chunks).toString('utf8'));
            callback();
          };
          if (!current) return accept();
          current.arrived();
          void current.held.then((accepted) => (accepted ? accept() : callback(new Error('Not accepted'))));
        });
      },
    });
  const listen = async (onPort: number) => {
    server = create();
    await new Promise<void>((resolve) => server.listen(onPort, '127.0.0.1', resolve));
    return (server.server.address() as AddressInfo).port;
  };
  const actualPort = await listen(port);
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    received,
    parsed: () => Promise.all(received.map((raw) => simpleParser(raw))),
    holdAnswers() {
      let settle!: (accepted: boolean) => void;
      let arrived!: () => void;
      const held = new Promise<boolean>((resolve) => (settle = resolve));
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      hold = { held, arrived };
      const release = (accepted: boolean) => {
        hold = null;
        settle(accepted);
      };
      return { open: () => release(true), drop: () => release(false), arrived: arrival };
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
    start: async () => {
      await listen(actualPort);
    },
  };
}
