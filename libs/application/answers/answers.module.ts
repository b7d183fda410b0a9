import { Global, Module } from '@nestjs/common';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { AnswersRepository } from '#persistence/answers.repository.js';
import { AnswerStore } from './answer-store.js';

/** The answer store every read service asks (one per process: its caches and the precomputed answers). */
@Global()
@Module({
  providers: [
    {
      provide: AnswerStore,
      inject: [AnswersRepository, APP_CONFIG],
      useFactory: (answers: AnswersRepository, config: AppConfig) =>
        new AnswerStore(answers, { maxBytes: config.answerCacheMb * 2 ** 20 }),
    },
  ],
  exports: [AnswerStore],
})
export class AnswersModule {}
