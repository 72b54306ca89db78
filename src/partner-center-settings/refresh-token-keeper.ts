import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { PartnerCenterClient } from '../partner-center/partner-center.client';
import { PartnerCenterSettingsService } from './partner-center-settings.service';

// Entra hands out a new refresh token each time one is used; keeping the newest means a connected Partner Center
// user stays connected for as long as the app uses the connection, not 90 days from the first sign-in.
@Injectable()
export class RefreshTokenKeeper implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RefreshTokenKeeper.name);
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly client: PartnerCenterClient,
    private readonly settings: PartnerCenterSettingsService,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.client.onRefreshTokenRotated(({ previous, next }) =>
      this.settings
        .replaceRefreshToken(previous, next)
        .catch((error: Error) => this.logger.warn(`Could not keep the rotated refresh token: ${error.message}`)),
    );
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }
}
