import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { SubscriptionsService } from '#application/notices/subscriptions.service.js';
import type { Principal } from '#domain/access.js';
import type { OutboxStatus } from '#persistence/delivery.repository.js';
import { Access, CurrentPrincipal } from '../access/access.js';
import { ApiErrors, ApiJson, ApiRequestBody } from '../http/openapi.js';
import { DepartmentQuery, EnumQuery, IdParam, YearQuery } from '../http/params.js';
import { DELIVERIES, RETRIED, SUBSCRIPTION, SUBSCRIPTION_BODY, SUBSCRIPTIONS } from './notices.openapi.js';

@ApiTags('subscriptions & deliveries')
@Controller('api/v1')
export class DeliveriesController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  /** Subscribes a channel to a unit's notices and alerts ('department' for the summary, '*' for everything). */
  @Post('subscriptions')
  @Access({ kind: 'write-body' })
  @ApiOperation({
    summary: 'Subscribe a channel',
    description:
      "Sends a unit's notices and alerts ('department' for the department summary, '*' for everything) of a " +
      'department to a channel from the next month close on: a webhook (JSON POST), a WeCom or DingTalk robot ' +
      '(Chinese text), or the log. Webhooks go to https URLs of public addresses (internal ones only where the ' +
      'operator allows them); robots only to their official URLs. A DingTalk robot with 加签 takes its `secret`, ' +
      'stored encrypted and never shown again (`hasSecret`).',
  })
  @ApiRequestBody('The subscription', { 'application/json': { schema: SUBSCRIPTION_BODY } })
  @ApiJson(201, 'The subscription made', SUBSCRIPTION)
  @ApiErrors(
    [
      400,
      'A missing or bad field (department, subject, channel, url, secret) or an unknown one: a URL that is not ' +
        "https, names an internal address, or is not the robot's official URL; a secret on another channel than " +
        'DingTalk, or one this server cannot store (no SECRETS_KEY with PostgreSQL)',
    ],
    [403, 'The key may not configure this department'],
    [413, 'The body is larger than 1 MB'],
    503,
  )
  subscribe(@CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    return this.subscriptions.subscribe(principal, body);
  }

  @Get('subscriptions')
  @Access({ kind: 'write-body' })
  @ApiOperation({
    summary: 'List subscriptions',
    description: 'The active subscriptions of the departments the key may read, oldest first.',
  })
  @ApiJson(200, 'The subscriptions', SUBSCRIPTIONS)
  @ApiErrors(400, 503)
  list(
    @CurrentPrincipal() principal: Principal,
    @DepartmentQuery('Only the subscriptions of this department') department: string | undefined,
  ) {
    return this.subscriptions.list(principal, department);
  }

  @Delete('subscriptions/:id')
  @Access({ kind: 'write-body' })
  @ApiOperation({
    summary: 'Unsubscribe',
    description: 'Deactivates a subscription (kept for the record); nothing more is sent to it.',
  })
  @ApiJson(200, 'The subscription, now inactive', SUBSCRIPTION)
  @ApiErrors(400, [404, "No such subscription, or not one of the key's departments"], 503)
  unsubscribe(@CurrentPrincipal() principal: Principal, @IdParam() id: number) {
    return this.subscriptions.unsubscribe(principal, id);
  }

  /** The outbox: pending, enqueued, delivered and failed deliveries. */
  @Get('deliveries')
  @Access({ kind: 'admin' })
  @ApiOperation({
    summary: 'Delivery outbox',
    description:
      'Counts of deliveries by state and the latest 200 deliveries (newest first), with their payloads and last ' +
      'errors; by state, and by department-year when both department and year are given.',
  })
  @ApiJson(200, 'The outbox', DELIVERIES)
  @ApiErrors(400, 503)
  deliveries(
    @EnumQuery('status', ['pending', 'enqueued', 'delivered', 'failed'] as const, 'Only deliveries in this state')
    status: OutboxStatus | undefined,
    @DepartmentQuery('Only this department (with year)') department: string | undefined,
    @YearQuery('Only this year (with department)') year: number | undefined,
  ) {
    return this.subscriptions.deliveries({ status, department, year });
  }

  /** Sends failed deliveries again (same job ids: a receiver never gets one twice from us). */
  @Post('deliveries/retry-failed')
  @HttpCode(200)
  @Access({ kind: 'admin' })
  @ApiOperation({
    summary: 'Retry failed deliveries',
    description:
      'Puts every failed delivery back in the outbox to be sent again, with the same job ids (a receiver never ' +
      'gets one twice).',
  })
  @ApiJson(200, 'How many were put back', RETRIED)
  @ApiErrors(503)
  retryFailed() {
    return this.subscriptions.retryFailed();
  }
}
