import { NestFactory } from '@nestjs/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { workerRuns } from './worker-runs';

// npm run bench:webhooks: how many webhook deliveries per second one worker sends to a local receiver, on SQLite
// and, when BENCH_DATABASE_URL is set (its schema is emptied!), on PostgreSQL. BENCH_WEBHOOKS deliveries (default
// 2,000) are queued in transactions of 100 events, as a sync's status changes would be; then the worker starts and
// the clock runs until the last message is recorded as delivered: each one signed, POSTed over a fresh connection
// whose address is checked, answered 204 by a node:http receiver on loopback, and its attempt written.
const DELIVERIES = Number(process.env.BENCH_WEBHOOKS ?? 2000);
const PER_TRANSACTION = 100;

interface RunFigures {
  database: string;
  concurrency: number;
  deliveries: number;
  seconds: number;
  perSecond: number;
  received: number;
  emitMsPerEvent: number;
}

async function measure(concurrency: number): Promise<RunFigures> {
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received += 1;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const { AppModule } = await import('../src/app.module');
  const { SqlService } = await import('../src/database/sql.service');
  const { BrokersRepository } = await import('../src/brokers/brokers.repository');
  const { runForBroker } = await import('../src/common/request-context');
  const { JobWorker } = await import('../src/jobs/job-worker.service');
  const { WebhookEndpoints } = await import('../src/webhooks/webhook-endpoints.service');
  const { WebhookEvents } = await import('../src/webhooks/webhook-events.service');
  const app = await NestFactory.create(AppModule, { bodyParser: false, logger: ['error'] });
  await app.init();
  const sql = app.get(SqlService);
  const broker = await sql.transaction((tx) => app.get(BrokersRepository).create(tx, 'Webhook bench'));
  await runForBroker(broker.id, () =>
    app.get(WebhookEndpoints).create({ url, events: ['tenant.status_changed'], enabled: 'on' }),
  );
  const events = app.get(WebhookEvents);
  const emitStart = performance.now();
  for (let done = 0; done < DELIVERIES; done += PER_TRANSACTION) {
    await sql.transaction((tx) =>
      events.emitAll(
        tx,
        broker.id,
        Array.from({ length: Math.min(PER_TRANSACTION, DELIVERIES - done) }, (_, i) => ({
          type: 'tenant.status_changed' as const,
          data: {
            id: done + i + 1,
            status: 'attested',
            previousStatus: 'pending',
            url: `/api/v1/tenants/${done + i + 1}`,
          },
        })),
      ),
    );
  }
  const emitMsPerEvent = (performance.now() - emitStart) / DELIVERIES;

  const start = performance.now();
  app.get(JobWorker).start();
  for (;;) {
    const [row] = await sql.query<{ n: number | string }>`
      SELECT COUNT(*) AS n FROM webhook_messages WHERE state = 'delivered'`;
    if (Number(row.n) >= DELIVERIES) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const seconds = (performance.now() - start) / 1000;
  await app.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  return {
    database: sql.dialect.name,
    concurrency,
    deliveries: DELIVERIES,
    seconds,
    perSecond: DELIVERIES / seconds,
    received,
    emitMsPerEvent,
  };
}

async function main(): Promise<void> {
  const concurrencies = (process.env.BENCH_CONCURRENCY ?? '4,16').split(',').map(Number);
  const results = await workerRuns(__filename, 'webhooks', concurrencies, measure, {
    WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
  });
  if (!results) return;
  console.log(`\nWebhook deliveries, ${DELIVERIES} queued messages to a receiver on loopback (one worker)\n`);
  console.log('| database | worker concurrency | deliveries/s | seconds | requests received | emit, ms per event |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    console.log(
      `| ${r.database} | ${r.concurrency} | ${Math.round(r.perSecond)} | ${r.seconds.toFixed(2)} | ${r.received} | ${r.emitMsPerEvent.toFixed(3)} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
