import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { AppConfig } from '../config/app.config';
import { SqlService } from '../database/sql.service';
import { SessionRecord } from './session.entity';
import { SessionsCleanup } from './sessions-cleanup';
import { TypeormSessionStore } from './typeorm-session.store';

@Module({
  imports: [TypeOrmModule.forFeature([SessionRecord])],
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
