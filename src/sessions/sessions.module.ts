import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { SessionsCleanup } from './sessions-cleanup';
import { TypeormSessionStore } from './typeorm-session.store';

@Module({
  providers: [
    {
      provide: TypeormSessionStore,
      inject: [SqlService, ConfigService],
      useFactory: (sql: SqlService, config: ConfigService) =>
        new TypeormSessionStore(sql, config.getOrThrow<AppConfig>('app').sessionIdleMinutes * 60_000),
    },
    SessionsCleanup,
  ],
  exports: [TypeormSessionStore],
})
export class SessionsModule {}
