import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysService } from '#application/access/api-keys.service.js';
import { ApiKeysRepository } from '#persistence/api-keys.repository.js';
import { AccessGuard } from './access.js';
import { IngestRateLimit } from '../http/rate-limit.js';

/** API keys and the guard that checks every route (APP_GUARD). */
@Global()
@Module({
  providers: [
    {
      provide: ApiKeysService,
      inject: [ApiKeysRepository],
      useFactory: (r: ApiKeysRepository) => new ApiKeysService(r),
    },
    { provide: APP_GUARD, useClass: AccessGuard },
    IngestRateLimit,
  ],
  exports: [ApiKeysService, IngestRateLimit],
})
export class AuthModule {}
