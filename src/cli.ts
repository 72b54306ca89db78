import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { anchorFromText } from './audit/audit-anchor';
import { AuditAnchors, chainName as anchoredChainName } from './audit/audit-anchors.service';
import { AuditVerifier } from './audit/audit-verifier.service';
import { readBackupFile } from './backups/backup-file';
import { BackupService } from './backups/backup.service';
import { configuredSecret, restoreDatabase } from './backups/restore';
import { CliModule } from './cli.module';
import { runAsSystem } from './common/request-context';
import { validateEnvironment } from './config/environment';
import { SQLITE_FILE } from './database/installation';
import { UserProvisioning } from './users/user-provisioning.service';

const USAGE = `Usage:
  npm run cli -- user:create --email <email> --name <name> --role <admin|operator|viewer> --broker <name> [--create-broker]
    The password is read from the MCA_USER_PASSWORD environment variable (never from the command line, which
    other users of the machine can see). The broker must exist, unless --create-broker is given to create it.
  npm run cli -- audit:verify [--head <hash>] [--heads <file>]
    Recomputes every chain of the audit trail; names the first event that does not match and exits with 1.
    --head: the chain must still hold the event with this hash (a head noted earlier).
    --heads: a heads file (a backup, its heads as JSON, or the log line "Audit chain heads, signed"): its signature
    must be this installation's, and each chain must still hold the event it names at its place.
  npm run cli -- backup <file>
    Writes a consistent copy of the database (SQLite's backup API, or pg_dump on PostgreSQL) while the app runs.
  npm run cli -- restore <file> [--force]
    Puts a backup in place of DATA_DIR's SQLite database (or DATABASE_URL's), when no instance of the app runs;
    --force replaces a database that holds data. Hands interrupted jobs back and verifies the audit trail.`;

async function createUser(app: INestApplicationContext, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: 'string' },
      name: { type: 'string' },
      role: { type: 'string' },
      broker: { type: 'string' },
      'create-broker': { type: 'boolean' },
    },
    strict: true,
  });
  const result = await runAsSystem(
    () =>
      app.get(UserProvisioning).createFromCli(
        {
          email: values.email ?? '',
          name: values.name ?? '',
          role: values.role ?? '',
          brokerName: values.broker ?? '',
          password: process.env.MCA_USER_PASSWORD ?? '',
        },
        { createBroker: values['create-broker'] === true },
      ),
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
  const { values } = parseArgs({
    args,
    options: { head: { type: 'string' }, heads: { type: 'string' } },
    strict: true,
  });
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
  if (values.head !== undefined && !(await checkHead(app, values.head))) return 1;
  if (values.heads !== undefined && !(await checkHeads(app, values.heads))) return 1;
  return 0;
}

async function checkHead(app: INestApplicationContext, hash: string): Promise<boolean> {
  if (!/^[0-9a-f]{64}$/.test(hash)) {
    console.error(`--head: "${hash}" is not an event hash (64 hexadecimal digits).`);
    return false;
  }
  const found = await app.get(AuditAnchors).findHead(hash);
  if (!found) {
    console.error(`Audit trail BROKEN: no event has the hash ${hash}: events were removed from the end of its chain.`);
    return false;
  }
  console.log(
    `Head ${hash} found in ${anchoredChainName(found.chainId)} at seq ${found.seq}: nothing up to it was removed.`,
  );
  return true;
}

async function checkHeads(app: INestApplicationContext, file: string): Promise<boolean> {
  const anchor = await readHeadsFile(file);
  if (!anchor) {
    console.error(`--heads: ${file} holds no signed audit heads (a backup, its heads as JSON, or the log line).`);
    return false;
  }
  const checked = await app.get(AuditAnchors).check(anchor);
  if (!checked.ok) {
    console.error(`Audit trail BROKEN against the heads of ${anchor.at} in ${file}:`);
    for (const problem of checked.problems) console.error(`  ${problem}`);
    return false;
  }
  console.log(`Heads of ${anchor.at} (${checked.heads} chains, signature valid): every chain still holds them.`);
  return true;
}

async function readHeadsFile(file: string) {
  try {
    const text = readFileSync(file, 'utf8');
    if (text.startsWith('MCA-MANAGER-BACKUP ')) return (await readBackupFile(file)).header.auditAnchor;
    return anchorFromText(text);
  } catch (error) {
    console.error(`--heads: ${(error as Error).message}`);
    return null;
  }
}

async function backup(app: INestApplicationContext, args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  if (positionals.length !== 1) {
    console.error('Usage: npm run cli -- backup <file>');
    return 2;
  }
  const result = await runAsSystem(() => app.get(BackupService).create(positionals[0], 'command line'), {
    type: 'system',
    jobId: null,
    label: 'command line (backup)',
  });
  const { header } = result;
  console.log(
    `Backup written to ${result.file}: ${result.bytes} bytes in ${result.durationMs} ms (${header.database}, schema ${header.schemaVersion}, audit heads of ${header.auditAnchor.at}).`,
  );
  return 0;
}

// Runs before the app's context exists: the database is put in place first, then opened (and migrated when older).
async function restore(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { force: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    console.error('Usage: npm run cli -- restore <file> [--force]');
    return 2;
  }
  const env = validateEnvironment(process.env);
  const dataDir = resolve(env.DATA_DIR);
  const file = resolve(positionals[0]);
  const header = await restoreDatabase(file, {
    dataDir,
    databaseUrl: env.DATABASE_URL,
    force: values.force === true,
    secret: configuredSecret(env.APP_SECRET, dataDir),
  });
  console.log(
    `Restored the ${header.database} backup of ${header.createdAt} (app ${header.appVersion}, schema ${header.schemaVersion}).`,
  );
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error'] });
  try {
    const report = await app.get(BackupService).afterRestore(header.auditAnchor, file);
    console.log(`Jobs that were running at the backup, handed back to the queue: ${report.handedBack}.`);
    if (report.problems.length > 0) {
      console.error('Audit trail BROKEN in the restored database:');
      for (const problem of report.problems) console.error(`  ${problem}`);
      return 1;
    }
    console.log(
      `Audit trail OK: ${report.chains} chains, ${report.events} events; every chain holds the backup's signed heads.`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

const COMMANDS: Record<string, (app: INestApplicationContext, args: string[]) => Promise<number>> = {
  'user:create': createUser,
  'audit:verify': verifyAudit,
  backup,
};

// Commands that read an installation: on a DATA_DIR without one (a typo, a volume not mounted) they would start a
// new, empty one and answer about it (a backup of nothing, an intact audit trail of nothing).
const READS_AN_INSTALLATION = new Set(['audit:verify', 'backup']);

function missingInstallation(command: string): string | null {
  const env = validateEnvironment(process.env);
  if (!READS_AN_INSTALLATION.has(command) || env.DATABASE_URL) return null;
  const database = join(resolve(env.DATA_DIR), SQLITE_FILE);
  return existsSync(database)
    ? null
    : `No database at ${database}: check DATA_DIR (${command} needs an existing installation)`;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const run = Object.hasOwn(COMMANDS, command ?? '') ? COMMANDS[command] : undefined;
  if (!run && command !== 'restore') {
    console.error(USAGE);
    return 2;
  }
  if (existsSync('.env')) process.loadEnvFile('.env');
  if (!run) return restore(rest);
  const missing = missingInstallation(command);
  if (missing) {
    console.error(missing);
    return 1;
  }
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
