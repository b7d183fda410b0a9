import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { SessionsService } from '#application/access/sessions.service.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { SessionsRepository } from '#persistence/sessions.repository.js';
import { IngestRateLimit } from '../http/rate-limit.js';
import { AccessGuard } from './access.js';

/** API keys, browser sessions and the guard that checks every route (APP_GUARD). */
@Global()
@Module({
  providers: [
    {
      provide: ApiKeysService,
      inject: [ApiKeysRepository],
      useFactory: (r: ApiKeysRepository) => new ApiKeysService(r),
    },
    {
      provide: SessionsService,
      inject: [ApiKeysService, SessionsRepository, APP_CONFIG],
      useFactory: (keys: ApiKeysService, sessions: SessionsRepository, config: AppConfig) =>
        new SessionsService(keys, sessions, config.sessionHours),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
    IngestRateLimit,
  ],
  exports: [ApiKeysService, SessionsService, IngestRateLimit],
})
export class AuthModule {}
