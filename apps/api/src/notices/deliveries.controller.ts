import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { canRead, canWrite, type Principal } from '#domain/access.js';
import { Access, AuthError, CurrentPrincipal } from '../access/access.js';
import { InvalidInputError, NotFoundError } from '#application/common/errors.js';
import { OutboxRelay } from '#application/notices/outbox.relay.js';
import { CHANNELS, DeliveryRepository, type Channel, type OutboxStatus } from '#persistence/delivery.repository.js';
import { parseDepartment, parseIntParam, parseYear } from '../http/params.js';

const SUBJECT_RE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63}|\*)$/;

function bad(path: string, reason: string): never {
  throw new InvalidInputError(`${path}: ${reason}`, [{ index: 0, path, reason }]);
}

@Controller('api/v1')
export class DeliveriesController {
  constructor(
    private readonly repo: DeliveryRepository,
    private readonly relay: OutboxRelay,
  ) {}

  /** Subscribes a channel to a unit's notices and alerts ('department' for the summary, '*' for everything). */
  @Post('subscriptions')
  @Access({ kind: 'write-body' })
  async subscribe(@CurrentPrincipal() principal: Principal, @Body() body: Record<string, unknown> | undefined) {
    const b = body ?? {};
    for (const k of Object.keys(b))
      if (!['department', 'subject', 'channel', 'url'].includes(k))
        bad(k, 'unknown field (allowed: department, subject, channel, url)');
    if (typeof b.department !== 'string') bad('department', 'is required');
    const department = parseDepartment(b.department as string);
    if (!canWrite(principal, department))
      throw new AuthError(403, `this key may not configure department "${department}"`);
    if (typeof b.subject !== 'string' || !SUBJECT_RE.test(b.subject))
      bad('subject', 'must be a unit id, "department" or "*"');
    if (typeof b.channel !== 'string' || !CHANNELS.includes(b.channel as Channel))
      bad('channel', `must be one of ${CHANNELS.join(', ')}`);
    const channel = b.channel as Channel;
    let url: string | null = null;
    if (channel !== 'log') {
      if (typeof b.url !== 'string') bad('url', `is required for channel ${channel}`);
      try {
        const u = new URL(b.url as string);
        if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('url', 'must be an http(s) URL');
        url = u.toString();
      } catch (e) {
        if (e instanceof InvalidInputError) throw e;
        bad('url', `is not a URL: ${JSON.stringify(b.url)}`);
      }
    } else if (b.url !== undefined) bad('url', 'the log channel takes no URL');
    return this.repo.addSubscription({ department, subject: b.subject as string, channel, url });
  }

  @Get('subscriptions')
  @Access({ kind: 'write-body' })
  async subscriptions(@CurrentPrincipal() principal: Principal, @Query('department') department?: string) {
    const all = await this.repo.listSubscriptions(department ? parseDepartment(department) : undefined);
    return { subscriptions: all.filter((s) => canRead(principal, s.department)) };
  }

  @Delete('subscriptions/:id')
  @Access({ kind: 'write-body' })
  async unsubscribe(@CurrentPrincipal() principal: Principal, @Param('id') id: string) {
    const n = parseIntParam('id', id, 0, 1, 2 ** 31 - 1);
    const existing = (await this.repo.listSubscriptions(undefined, true)).find((s) => s.id === n);
    if (!existing || !canWrite(principal, existing.department)) throw new NotFoundError(`no subscription ${id}`);
    return (await this.repo.deactivateSubscription(n))!;
  }

  /** The outbox: pending, enqueued, delivered and failed deliveries. */
  @Get('deliveries')
  @Access({ kind: 'admin' })
  async deliveries(
    @Query('status') status?: string,
    @Query('department') department?: string,
    @Query('year') year?: string,
  ) {
    if (status !== undefined && !['pending', 'enqueued', 'delivered', 'failed'].includes(status))
      bad('status', 'must be pending, enqueued, delivered or failed');
    const stream = department && year ? `${parseDepartment(department)}/${parseYear(year)}` : undefined;
    return {
      counts: await this.repo.outboxCounts(),
      deliveries: await this.repo.listOutbox({ status: status as OutboxStatus | undefined, stream }),
    };
  }

  /** Sends failed deliveries again (same job ids: a receiver never gets one twice from us). */
  @Post('deliveries/retry-failed')
  @HttpCode(200)
  @Access({ kind: 'admin' })
  async retryFailed() {
    const n = await this.repo.requeue('failed');
    this.relay.wake();
    return { requeued: n };
  }
}
