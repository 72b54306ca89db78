import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { existsSync } from 'node:fs';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { readAppConfig } from './config/app.config';

async function bootstrap(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = readAppConfig();
  } catch (error) {
    // One clear line, naming the variable; no stack trace for a configuration mistake.
    console.error((error as Error).message);
    process.exit(1);
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { bufferLogs: true, bodyParser: false });
  configureApp(app);
  await app.listen(config.port);
  console.log(`MCA Manager listening on http://localhost:${config.port}`);
}

void bootstrap();
