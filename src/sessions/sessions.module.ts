import { Module } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { TypeOrmModule, getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AppConfig } from '../config/app.config';
import { SessionRecord } from './session.entity';
import { SessionsCleanup } from './sessions-cleanup';
import { TypeormSessionStore } from './typeorm-session.store';

@Module({
  imports: [TypeOrmModule.forFeature([SessionRecord])],
  providers: [
    {
      provide: TypeormSessionStore,
      inject: [getRepositoryToken(SessionRecord), ConfigService],
      useFactory: (repo: Repository<SessionRecord>, config: ConfigService) =>
        new TypeormSessionStore(repo, config.getOrThrow<AppConfig>('app').sessionIdleMinutes * 60_000),
    },
    SessionsCleanup,
  ],
  exports: [TypeormSessionStore],
})
export class SessionsModule {}
