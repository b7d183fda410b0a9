/**
 * Delivers one job to its channel. Throws on any failure so the runner retries (BullMQ attempts
 * with exponential backoff), except for permanent ones (a refused URL or address); a job id
 * already delivered is not sent again.
 *
 * Where it may go is checked again here, at send time (webhook-policy.ts, safe-request.ts): the
 * URL for its channel, then every address it connects to. A DingTalk robot's secret is read from
 * the subscription and decrypted here, only to sign the message. What is recorded of a failure is
 * a status or a code (`webhook answered 500`, `dingtalk errcode 310000`, `refused address
 * 127.0.0.1 (loopback)`), never the receiver's text, a URL or a secret.
 */
import { createHmac } from 'node:crypto';
import type { Logger } from '@nestjs/common';
import type { DeliveryRepository } from '#persistence/delivery.repository.js';
import { SecretsError, type SecretBox } from '../notices/secrets.js';
import { PolicyError, type WebhookPolicy } from '../notices/webhook-policy.js';
import type { DeliverJobData } from './jobs.js';
import { DeliveryError, safePost, type Resolver } from './safe-request.js';

export { DeliveryError } from './safe-request.js';

export interface DeliveryLog {
  log(message: string): void;
  warn(message: string): void;
}

export interface DeliveryOptions {
  policy: WebhookPolicy;
  secrets: SecretBox;
  /** Per request (default 10 s). */
  timeoutMs?: number;
  /** Name resolution (default: the system's). */
  resolver?: Resolver;
}

/** DingTalk 加签: Base64(HMAC-SHA256 keyed by the secret, of "{timestamp}\n{secret}"), timestamp in ms. */
export function dingtalkSign(secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}\n${secret}`, 'utf8').digest('base64');
}

/** The robot URL with `&timestamp=…&sign=…` (URL-encoded) appended, as DingTalk documents it. */
export function signedDingtalkUrl(url: URL, secret: string, timestamp: number): URL {
  const signed = new URL(url);
  signed.search = `${url.search}&timestamp=${timestamp}&sign=${encodeURIComponent(dingtalkSign(secret, timestamp))}`;
  return signed;
}

export class DeliveryHandler {
  private readonly timeoutMs: number;

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly log: DeliveryLog | Logger,
    private readonly options: DeliveryOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

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
    const channel = job.channel as Exclude<DeliverJobData['channel'], 'log'>;
    if (!job.url) throw new DeliveryError(`channel ${channel} needs a URL`, true);
    let url: URL;
    try {
      url = this.options.policy.checkUrl(channel, job.url);
    } catch (e) {
      if (e instanceof PolicyError) throw new DeliveryError(`${channel} URL refused: ${e.reason}`, true);
      throw e;
    }
    if (channel === 'dingtalk') {
      const stored = await this.repo.secretForJob(job.jobId);
      if (stored !== null) {
        let secret: string;
        try {
          secret = this.options.secrets.decrypt(stored);
        } catch (e) {
          if (e instanceof SecretsError) throw new DeliveryError(`dingtalk secret unusable: ${e.message}`, true);
          throw e;
        }
        url = signedDingtalkUrl(url, secret, Date.now());
      }
    }
    const res = await safePost(
      url,
      JSON.stringify(job.payload),
      {
        'content-type': 'application/json; charset=utf-8',
        'x-paceline-delivery': job.jobId,
        'idempotency-key': job.jobId,
      },
      { policy: this.options.policy, timeoutMs: this.timeoutMs, resolver: this.options.resolver },
    );
    // A redirect is not followed: like any other status outside 2xx it fails the attempt.
    if (res.status < 200 || res.status > 299) throw new DeliveryError(`${channel} answered ${res.status}`);
    if (channel === 'wecom' || channel === 'dingtalk') {
      // Group robots answer 200 with {"errcode": n, "errmsg": …}; anything but 0 is a failure.
      let errcode: unknown;
      try {
        errcode = (JSON.parse(res.body.toString('utf8')) as { errcode?: unknown })?.errcode;
      } catch {
        throw new DeliveryError(`${channel} answered a body that is not JSON`);
      }
      if (errcode !== undefined && errcode !== 0)
        throw new DeliveryError(
          `${channel} errcode ${typeof errcode === 'number' && Number.isSafeInteger(errcode) ? errcode : 'not a number'}`,
        );
    }
    return res.status;
  }
}
