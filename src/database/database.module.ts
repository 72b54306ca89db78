import { Global, Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app.config';
import { buildDataSourceOptions } from './data-source-options';
import { SqlService, WRITE_DATA_SOURCE } from './sql.service';

@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [ConfigService],
      useFactory: (config: ConfigService) => {
        const app = config.getOrThrow<AppConfig>('app');
        return buildDataSourceOptions(app.databaseUrl, app.dataDir);
      },
    }),
  ],
  providers: [
    {
      // SQLite only: the connection write transactions run on (see SqlService); opened after the migrations ran.
      provide: WRITE_DATA_SOURCE,
      inject: [getDataSourceToken()],
      useFactory: async (main: DataSource): Promise<DataSource | null> => {
        if (main.options.type === 'postgres') return null;
        return new DataSource({ ...main.options, migrationsRun: false }).initialize();
      },
    },
    SqlService,
  ],
  exports: [SqlService],
})
export class DatabaseModule {}
