import { Module } from '@nestjs/common';
import { MonitoringFilesService } from '#application/monitoring/exports/monitoring-files.service.js';
import { MonitoringModule } from '#application/monitoring/monitoring.module.js';
import { MonitoringService } from '#application/monitoring/monitoring.service.js';
import { MonitoringController } from './monitoring.controller.js';

/**
 * The monitoring routes over their application module (registered by AppModule in one line), and
 * the monitoring table's files (xlsx, HTML, PDF) and the roll-up's workbook.
 */
@Module({
  imports: [MonitoringModule],
  providers: [
    {
      provide: MonitoringFilesService,
      inject: [MonitoringService],
      useFactory: (monitoring: MonitoringService) => new MonitoringFilesService(monitoring),
    },
  ],
  controllers: [MonitoringController],
})
export class MonitoringApiModule {}
