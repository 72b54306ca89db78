import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Clock } from '../common/clock';
import { appConfig, type AppConfig } from '../config/app.config';
import { SessionRecord } from './session.entity';
import { SessionsCleanup } from './sessions-cleanup';
import { SessionsRepository } from './sessions.repository';
import { TypeormSessionStore } from './typeorm-session.store';

@Module({
  imports: [TypeOrmModule.forFeature([SessionRecord])],
  providers: [
    SessionsRepository,
    {
      provide: TypeormSessionStore,
      inject: [SessionsRepository, Clock, appConfig.KEY],
      useFactory: (sessions: SessionsRepository, clock: Clock, config: AppConfig) =>
        new TypeormSessionStore(sessions, clock, config.sessionIdleMinutes * 60_000),
    },
    SessionsCleanup,
  ],
  exports: [TypeormSessionStore, SessionsRepository],
})
export class SessionsModule {}
