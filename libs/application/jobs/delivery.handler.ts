/**
 * Delivers one job to its channel. Throws on any failure so the runner retries (BullMQ attempts
 * with exponential backoff); a job id already delivered is not sent again.
 */
import type { Logger } from '@nestjs/common';
import type { DeliveryRepository } from '#persistence/delivery.repository.js';
import type { DeliverJobData } from './jobs.js';

export class DeliveryError extends Error {}

export interface DeliveryLog {
  log(message: string): void;
  warn(message: string): void;
}

export class DeliveryHandler {
  constructor(
    private readonly repo: DeliveryRepository,
    private readonly log: DeliveryLog | Logger,
    private readonly timeoutMs = 10_000,
  ) {}

  async deliver(job: DeliverJobData, attempt: number): Promise<void> {
    if (await this.repo.isDelivered(job.jobId)) return;
    let status: number | null = null;
    try {
      if (job.channel === 'log') {
        this.log.log(`[notice] ${(job.payload as { line?: string }).line ?? JSON.stringify(job.payload)}`);
      } else {
        status = await this.post(job);
      }
    } catch (e) {
      await this.repo.recordAttempt(job.jobId, attempt, (e as Error).message, false);
      throw e;
    }
    await this.repo.markDelivered(job.jobId, job.channel, status, attempt);
  }

  async failed(job: DeliverJobData, attempts: number, error: Error): Promise<void> {
    this.log.warn(`delivery ${job.jobId} to ${job.channel} failed after ${attempts} attempts: ${error.message}`);
    await this.repo.recordAttempt(job.jobId, attempts, error.message, true);
  }

  private async post(job: DeliverJobData): Promise<number> {
    if (!job.url) throw new DeliveryError(`channel ${job.channel} needs a URL`);
    const res = await fetch(job.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'x-paceline-delivery': job.jobId,
        'idempotency-key': job.jobId,
      },
      body: JSON.stringify(job.payload),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new DeliveryError(`${job.channel} receiver answered ${res.status}: ${text.slice(0, 200)}`);
    if (job.channel === 'wecom' || job.channel === 'dingtalk') {
      // Group robots answer 200 with {"errcode": n, "errmsg": …}; anything but 0 is a failure.
      let body: { errcode?: number; errmsg?: string };
      try {
        body = JSON.parse(text);
      } catch {
        throw new DeliveryError(`${job.channel} robot answered a body that is not JSON: ${text.slice(0, 200)}`);
      }
      if (body.errcode !== undefined && body.errcode !== 0)
        throw new DeliveryError(`${job.channel} robot refused the message: ${body.errcode} ${body.errmsg ?? ''}`);
    }
    return res.status;
  }
}
