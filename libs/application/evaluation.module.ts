import { Module } from '@nestjs/common';
import { EventsRepository } from '../persistence/events.repository.js';
import { EvaluationService } from './evaluation.service.js';

@Module({
  providers: [{ provide: EvaluationService, inject: [EventsRepository], useFactory: (r: EventsRepository) => new EvaluationService(r) }],
  exports: [EvaluationService],
})
export class EvaluationModule {}
