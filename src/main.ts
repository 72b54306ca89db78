import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { readAppConfig } from './config/app.config';
import { stopGracefullyOnSignals } from './graceful-shutdown';
import { StartupError } from './database/installation';

// Under steady load V8 lets the old generation grow to about four times the live heap before it collects it (a
// peak RSS of 330-350 MB for 46 MB live). Growing it to twice the live heap held the peak near 230 MB at the same
// CPU per request. Unlike --max-old-space-size this is no ceiling: a large sync still gets what it needs. Set here
// so that it holds however the app is started; the flag given on the command line wins.
const HEAP_GROWING_PERCENT = 100;

// A start that cannot succeed until someone acts (the configuration, DATA_DIR, a lost database) exits with
// EX_CONFIG, which the systemd unit does not restart (RestartPreventExitStatus); anything else exits with 1.
const NEEDS_AN_OPERATOR = 78;

async function bootstrap(): Promise<void> {
  if (!process.execArgv.some((arg) => arg.startsWith('--heap-growing-percent')))
    setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = readAppConfig();
  } catch (error) {
    // One clear line, naming the variable; no stack trace for a configuration mistake.
    console.error((error as Error).message);
    process.exit(NEEDS_AN_OPERATOR);
  }
  let app: NestExpressApplication;
  try {
    app = await NestFactory.create<NestExpressApplication>(AppModule, {
      bufferLogs: true,
      bodyParser: false,
      abortOnError: false,
      // Buffered logs of a start that fails would repeat its error with a stack: the one line below says it.
      autoFlushLogs: false,
    });
  } catch (error) {
    // DATA_DIR unusable, the database missing, unreachable or another installation's: said in one line, nothing made.
    console.error(error instanceof StartupError ? error.message : `The app could not start: ${String(error)}`);
    process.exit(error instanceof StartupError && !error.transient ? NEEDS_AN_OPERATOR : 1);
  }
  configureApp(app);
  stopGracefullyOnSignals(app, config.shutdown);
  if (config.host) await app.listen(config.port, config.host);
  else await app.listen(config.port);
  const shown = !config.host ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
  console.log(`MCA Manager listening on http://${shown}:${config.port}`);
}

void bootstrap();
