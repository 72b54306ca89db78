import { NestFactory } from '@nestjs/core';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliModule } from './cli.module';
import { UserProvisioning } from './users/user-provisioning.service';

const USAGE = `Usage: npm run cli -- user:create --email <email> --name <name> --role <admin|operator|viewer> --broker <name> [--create-broker]
  The password is read from the MCA_USER_PASSWORD environment variable (never from the command line, which
  other users of the machine can see). The broker must exist, unless --create-broker is given to create it.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'user:create') {
    console.error(USAGE);
    return 2;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      broker: { type: 'string' },
      'create-broker': { type: 'boolean' },
    },
    strict: true,
  });
  if (existsSync('.env')) process.loadEnvFile('.env');
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    const result = await app.get(UserProvisioning).createFromCli(
      {
        email: values.email ?? '',
        name: values.name ?? '',
        role: values.role ?? '',
        brokerName: values.broker ?? '',
        password: process.env.MCA_USER_PASSWORD ?? '',
      },
      { createBroker: values['create-broker'] === true },
    );
    if (!result.ok) {
      for (const [field, message] of Object.entries(result.errors)) console.error(`${field}: ${message}`);
      return 1;
    }
    console.log(
      `Created ${result.user.role} ${result.user.email} in broker "${result.brokerName}" (user id ${result.user.id}).`,
    );
    return 0;
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
