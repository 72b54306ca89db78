import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AuditVerifier } from './audit/audit-verifier.service';
import { CliModule } from './cli.module';
import { runAsSystem } from './common/request-context';
import { UserProvisioning } from './users/user-provisioning.service';

const USAGE = `Usage:
  npm run cli -- user:create --email <email> --name <name> --role <admin|operator|viewer> --broker <name>
    The password is read from the MCA_USER_PASSWORD environment variable (never from the command line, which
    other users of the machine can see). The broker is created when no broker of that name exists.
  npm run cli -- audit:verify
    Recomputes every chain of the audit trail; names the first event that does not match and exits with 1.`;

async function createUser(app: INestApplicationContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      broker: { type: 'string' },
    },
    strict: true,
  });
  const result = await runAsSystem(
    () =>
      app.get(UserProvisioning).createFromCli({
        email: values.email ?? '',
        name: values.name ?? '',
        role: values.role ?? '',
        brokerName: values.broker ?? '',
        password: process.env.MCA_USER_PASSWORD ?? '',
      }),
    CLI_ACTOR,
  );
  if (!result.ok) {
    for (const [field, message] of Object.entries(result.errors)) console.error(`${field}: ${message}`);
    return 1;
  }
  console.log(
    `Created ${result.user.role} ${result.user.email} in broker "${result.brokerName}" (user id ${result.user.id}).`,
  );
  return 0;
}

// Changes made from the command line are recorded as the system's, named after the command.
const CLI_ACTOR = { type: 'system', jobId: null, label: 'command line (user:create)' } as const;

const chainName = (brokerId: number | null) => (brokerId === null ? 'events without a broker' : `broker ${brokerId}`);

async function verifyAudit(app: INestApplicationContext, args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const result = await app.get(AuditVerifier).verify();
  const lines = result.chains.map(
    (chain) => `  ${chainName(chain.brokerId)}: ${chain.events} events, last hash ${chain.headHash}`,
  );
  if (!result.ok) {
    const { broken } = result;
    console.error(
      `Audit trail BROKEN in the chain of ${chainName(broken.brokerId)} at seq ${broken.seq}: ${broken.reason}.`,
    );
    if (lines.length > 0) console.error(`Chains verified before it:\n${lines.join('\n')}`);
    return 1;
  }
  const events = result.chains.reduce((sum, chain) => sum + chain.events, 0);
  console.log(`Audit trail OK: ${result.chains.length} chains, ${events} events.`);
  if (lines.length > 0) console.log(lines.join('\n'));
  return 0;
}

const COMMANDS: Record<string, (app: INestApplicationContext, args: string[]) => Promise<number>> = {
  'user:create': createUser,
  'audit:verify': verifyAudit,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = Object.hasOwn(COMMANDS, command ?? '') ? COMMANDS[command] : undefined;
  if (!run) {
    console.error(USAGE);
    return 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    return await run(app, rest);
  } finally {
    await app.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
