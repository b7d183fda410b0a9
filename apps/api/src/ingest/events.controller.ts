import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { canWrite, type Principal } from '#domain/access.js';
import { Access, AuthError, CurrentPrincipal, ReadAccess } from '../access/access.js';
import { IngestRateLimit } from '../http/rate-limit.js';
import type { Response } from 'express';
import { InvalidInputError } from '#application/common/errors.js';
import { parseEventsBody } from '#application/ingest/ingest-body.js';
import { IngestService } from '#application/ingest/ingest.service.js';
import { APP_CONFIG } from '#config/config.module.js';
import type { AppConfig } from '#config/config.js';
import { streamId } from '#domain/events.js';
import { EventsRepository } from '#persistence/events.repository.js';
import { parseIntParam, parseYear, parseDepartment } from '../http/params.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

@Controller('api/v1')
export class EventsController {
  constructor(
    private readonly ingest: IngestService,
    private readonly events: EventsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** One event, a JSON array, or NDJSON (Content-Type: application/x-ndjson). */
  @Post('events')
  @HttpCode(200)
  @Access({ kind: 'write-body' })
  @UseGuards(IngestRateLimit)
  async post(
    @CurrentPrincipal() principal: Principal,
    @Body() body: Buffer | undefined,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    if (!Buffer.isBuffer(body) || body.length === 0) {
      throw new InvalidInputError('the body is empty', [
        { index: 0, path: '', reason: 'send one event, a JSON array of events, or NDJSON' },
      ]);
    }
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      throw new InvalidInputError('the body is not valid UTF-8', [
        { index: 0, path: '', reason: 'the body is not valid UTF-8' },
      ]);
    }
    const ndjson = (contentType ?? '').toLowerCase().startsWith('application/x-ndjson');
    const raw = parseEventsBody(text, ndjson ? 'ndjson' : 'json', this.config.maxBatch);
    raw.forEach((e, index) => {
      const department = (e as { department?: unknown })?.department;
      if (typeof department === 'string' && !canWrite(principal, department)) {
        throw new AuthError(
          403,
          `event ${index}: this key may not write department "${department}"; nothing was stored`,
        );
      }
    });
    const result = await this.ingest.ingest(raw);
    res.status(result.accepted > 0 ? 201 : 200);
    return result;
  }

  @Get('streams/:department/:year/events')
  @ReadAccess()
  async stream(
    @Param('department') department: string,
    @Param('year') year: string,
    @Query('fromVersion') fromVersion?: string,
    @Query('limit') limit?: string,
  ) {
    const dep = parseDepartment(department);
    const y = parseYear(year);
    const from = parseIntParam('fromVersion', fromVersion, 1, 1, Number.MAX_SAFE_INTEGER);
    const size = parseIntParam('limit', limit, 100, 1, 1000);
    const stream = streamId(dep, y);
    const [version, events] = await Promise.all([
      this.events.streamVersion(stream),
      this.events.page(stream, from, size),
    ]);
    const last = events[events.length - 1];
    return {
      stream,
      version,
      events,
      nextFromVersion: last && last.version < version ? last.version + 1 : null,
    };
  }
}
