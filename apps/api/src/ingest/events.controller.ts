import { Body, Controller, Get, Headers, HttpCode, Post, Res, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { EventsService } from '#application/ingest/events.service.js';
import type { Principal } from '#domain/access.js';
import { Access, CurrentPrincipal, ReadAccess } from '../access/access.js';
import { ApiErrors, ApiJson, ApiRequestBody, RATE_LIMIT_HEADERS } from '../http/openapi.js';
import { DepartmentParam, IntQuery, YearParam } from '../http/params.js';
import { IngestRateLimit } from '../http/rate-limit.js';
import { createdWhenAccepted } from '../http/responses.js';
import { EVENTS_BODY, INGEST_RESULT, STREAM_PAGE } from './ingest.openapi.js';
import { Consumes } from '../http/consumes.js';

@ApiTags('events')
@Controller('api/v1')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  /** One event, a JSON array, or NDJSON (Content-Type: application/x-ndjson). */
  @Post('events')
  @Consumes('application/json', 'application/x-ndjson')
  @HttpCode(200)
  @Access({ kind: 'ingest-body' })
  @UseGuards(IngestRateLimit)
  @ApiOperation({
    summary: 'Ingest events',
    description:
      'Appends events to the immutable log. The body is one JSON event, a JSON array of events, or NDJSON ' +
      '(`Content-Type: application/x-ndjson`, one event per line); strict UTF-8, optionally compressed ' +
      '(`Content-Encoding: gzip`, `deflate` or `br`). A batch is stored all or nothing and may span streams. ' +
      'An event whose id is already stored with the same content is a no-op (`duplicate: true`), so a batch ' +
      'can be sent again safely. Checks run in order: size, key and rate, body, departments in scope, fields ' +
      '(one 400 listing every problem), ids and expectedVersion (409), rules across events (400). Limits: ' +
      'MAX_BODY_BYTES (16 MiB), MAX_BATCH_EVENTS (10,000), INGEST_RATE_PER_MINUTE (600). Contract: docs/events.md.',
  })
  @ApiRequestBody('One event, a JSON array of events, or NDJSON text', EVENTS_BODY)
  @ApiJson(201, 'Something new was stored', INGEST_RESULT, RATE_LIMIT_HEADERS)
  @ApiJson(200, 'Every event was already stored (a replay): nothing new', INGEST_RESULT, RATE_LIMIT_HEADERS)
  @ApiErrors(
    [
      400,
      'Empty body, not UTF-8, not JSON (the NDJSON line is named), nested too deep, a field error or a rule across events: `errors[]` lists every problem; nothing was stored',
    ],
    [403, "An event's department is not writable with this key (`event N: this key may not write department …`)"],
    409,
    [413, 'The body exceeds MAX_BODY_BYTES, or the batch holds more than MAX_BATCH_EVENTS events'],
    [
      415,
      'The body is not application/json or application/x-ndjson, or its Content-Encoding is not gzip, deflate or br',
    ],
    429,
    503,
  )
  async post(
    @CurrentPrincipal() principal: Principal,
    @Body() body: unknown,
    @Headers('content-type') contentType: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    return createdWhenAccepted(res, await this.events.submit(principal, body, contentType));
  }

  @Get('streams/:department/:year/events')
  @ReadAccess()
  @ApiOperation({
    summary: "Read a stream's events",
    description:
      'The events of one department-year as stored (with version, position, record date and ingest time), ' +
      'in stream order, page by page: follow `nextFromVersion` until it is null. An unknown stream is an ' +
      'empty page with version 0.',
  })
  @ApiJson(200, 'A page of events', STREAM_PAGE)
  @ApiErrors(400, 503)
  stream(
    @DepartmentParam() department: string,
    @YearParam() year: number,
    @IntQuery('fromVersion', 1, Number.MAX_SAFE_INTEGER, 'First stream version to return (default 1)')
    fromVersion: number | undefined,
    @IntQuery('limit', 1, 1000, 'Most events to return (default 100)') limit: number | undefined,
  ) {
    return this.events.page(department, year, fromVersion, limit);
  }
}
