import { Global, Logger, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { appConfig, type AppConfig } from '../config/app.config';
import { DatabaseGateMiddleware } from './database-gate.middleware';
import { buildDataSourceOptions } from './data-source-options';
import { Installation } from './installation.entity';
import {
  checkDataDirBeforeOpening,
  checkInstallationBeforeMigrating,
  describeDatabaseUrl,
  readMarker,
  recordInstallation,
  SQLITE_FILE,
  StartupError,
  type InstallationIdentity,
} from './installation';
import { INSTALLATION, InstallationCheck } from './installation-check.service';
import { beginImmediate } from './native-sqlite';
import { SqlService, WRITE_DATA_SOURCE } from './sql.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (app: AppConfig) => {
        checkDataDirBeforeOpening(app.dataDir, !app.databaseUrl, app.allowNewDatabase);
        return {
          ...buildDataSourceOptions(app.databaseUrl, app.dataDir),
          // Migrated by the INSTALLATION provider, once it knows this is the installation's own database.
          migrationsRun: false,
          // A database that does not answer at start is said in one line (main.ts); systemd or the operator retries.
          retryAttempts: 0,
          // Each feature module registers the entities of its own tables (TypeOrmModule.forFeature).
          autoLoadEntities: true,
        };
      },
      dataSourceFactory: async (options) => {
        const dataSource = new DataSource(options!);
        try {
          return await dataSource.initialize();
        } catch (error) {
          const where = options?.type === 'postgres' ? describeDatabaseUrl(String(options.url)) : options?.database;
          throw new StartupError(`Cannot open the database at ${String(where)}: ${(error as Error).message}`, true);
        }
      },
    }),
    TypeOrmModule.forFeature([Installation]),
  ],
  providers: [
    {
      provide: INSTALLATION,
      inject: [getDataSourceToken(), appConfig.KEY],
      useFactory: async (main: DataSource, app: AppConfig): Promise<InstallationIdentity> => {
        const sqlite = main.options.type !== 'postgres';
        const where = app.databaseUrl ? describeDatabaseUrl(app.databaseUrl) : join(app.dataDir, SQLITE_FILE);
        const marker = readMarker(app.dataDir);
        await checkInstallationBeforeMigrating(main, marker, app.allowNewDatabase, where);
        await main.runMigrations({ transaction: 'all' });
        const identity = await recordInstallation(main, app.dataDir, sqlite);
        if (marker && marker !== identity.id)
          new Logger('Installation').warn(
            `ALLOW_NEW_DATABASE: DATA_DIR now belongs to installation ${identity.id} (it belonged to ${marker}); unset ALLOW_NEW_DATABASE`,
          );
        return identity;
      },
    },
    {
      // SQLite only: the connection write transactions run on (see SqlService); opened after the migrations ran.
      provide: WRITE_DATA_SOURCE,
      inject: [getDataSourceToken(), INSTALLATION],
      useFactory: async (main: DataSource): Promise<DataSource | null> => {
        if (main.options.type === 'postgres') return null;
        const write = await new DataSource({ ...main.options, migrationsRun: false }).initialize();
        beginImmediate(write);
        return write;
      },
    },
    InstallationCheck,
    SqlService,
  ],
  exports: [SqlService, InstallationCheck],
})
export class DatabaseModule implements NestModule {
  // Registered here, by the module every feature imports after it, so that it runs before any feature's middleware.
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(DatabaseGateMiddleware)
      .exclude('healthz', 'readyz')
      .forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }
}
