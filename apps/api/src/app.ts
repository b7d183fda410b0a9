import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express from 'express';
import type { Logger } from 'pino';
import type { AppConfig } from '#config/config.js';
import { httpLogger } from '#logging/http-logger.js';
import { createLogger } from '#logging/logger.js';
import { PinoNestLogger } from '#logging/nest-logger.js';
import { AppModule } from './app.module.js';
import { ErrorsFilter } from './http/errors.filter.js';
import { originGuard } from './http/origin.js';
import { securityHeaders } from './http/security-headers.js';
import { DOCS_PATH, setupOpenApi } from './http/openapi.js';
import { XLSX_MIME } from '#application/import/upload.service.js';

/** Builds the HTTP application (used by main.ts and by the end-to-end tests). */
export async function createApp(config: AppConfig, options: { logger?: Logger } = {}): Promise<NestExpressApplication> {
  const logger = options.logger ?? createLogger({ level: config.logLevel, format: config.logFormat });
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  app.use(httpLogger(logger));
  app.use(securityHeaders(DOCS_PATH));
  // Foreign Host headers and cross-site state changes are refused before anything reads them.
  app.use(originGuard(config));
  // Ingest reads the raw bytes itself: strict UTF-8, JSON or NDJSON, precise errors.
  app.use('/api/v1/events', express.raw({ type: () => true, limit: config.maxBodyBytes }));
  // Spreadsheet uploads (imports) arrive as raw bytes: xlsx or CSV.
  app.use(
    '/api/v1/departments',
    express.raw({ type: [XLSX_MIME, 'text/csv', 'application/octet-stream'], limit: config.maxBodyBytes }),
  );
  app.use('/login', express.urlencoded({ extended: false, limit: '4kb' }));
  app.use(express.json({ limit: '1mb' }));
  app.useGlobalFilters(new ErrorsFilter());
  // The OpenAPI document (built on its first request) at /api/docs/openapi.json, Swagger UI at /api/docs.
  setupOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
