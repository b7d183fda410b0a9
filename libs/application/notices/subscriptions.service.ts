/**
 * Who receives a department's notices and alerts: subscriptions of a channel (webhook, WeCom or
 * DingTalk robot, or the log) to a unit, the department summary or everything, managed by the
 * department's writers; and the outbox of deliveries, managed by admins.
 */
import { canRead, canWrite, type Principal } from '#domain/access.js';
import {
  CHANNELS,
  type Channel,
  type DeliveryRepository,
  type OutboxStatus,
  type Subscription,
} from '#persistence/delivery.repository.js';
import { ROBOT_ENDPOINTS } from '#config/config.js';
import { AccessDeniedError, InvalidInputError, NotFoundError } from '../common/errors.js';
import type { SecretBox } from './secrets.js';
import { PolicyError, WebhookPolicy } from './webhook-policy.js';

const SUBJECT_RE = /^([A-Za-z0-9][A-Za-z0-9._-]{0,63}|\*)$/;
const DEPARTMENT_RE = /^[a-z0-9-]{1,64}$/;
const FIELDS = ['department', 'subject', 'channel', 'url', 'secret'];
/** A DingTalk robot's 加签 secret as the robot's settings show it. */
const DINGTALK_SECRET_RE = /^SEC[A-Za-z0-9]{16,200}$/;

/** The policy without operator settings: https only, public addresses, the official robots. */
const DEFAULT_POLICY = new WebhookPolicy({ allowHttp: false, allow: [], robotEndpoints: ROBOT_ENDPOINTS });

export type SubscriptionRequest = Pick<Subscription, 'department' | 'subject' | 'channel' | 'url'> & {
  /** DingTalk only: the robot's 加签 secret (stored encrypted, never shown). */
  secret?: string;
};

function bad(path: string, reason: string): never {
  throw new InvalidInputError(`${path}: ${reason}`, [{ index: 0, path, reason }]);
}

/**
 * A subscription request, checked field by field (each refusal names its field): the URL against
 * the channel's rules and, when it is an address, against the address policy (webhook-policy.ts).
 * A refused secret is never repeated in the answer.
 */
export function parseSubscription(body: unknown, policy: WebhookPolicy = DEFAULT_POLICY): SubscriptionRequest {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b !== 'object' || Array.isArray(b)) bad('', 'send a JSON object');
  for (const k of Object.keys(b)) if (!FIELDS.includes(k)) bad(k, `unknown field (allowed: ${FIELDS.join(', ')})`);
  if (typeof b.department !== 'string') bad('department', 'is required');
  if (!DEPARTMENT_RE.test(b.department)) bad('department', `must match [a-z0-9-]{1,64}, got "${b.department}"`);
  if (typeof b.subject !== 'string' || !SUBJECT_RE.test(b.subject))
    bad('subject', 'must be a unit id, "department" or "*"');
  if (typeof b.channel !== 'string' || !CHANNELS.includes(b.channel as Channel))
    bad('channel', `must be one of ${CHANNELS.join(', ')}`);
  const channel = b.channel as Channel;
  if (b.secret !== undefined) {
    if (channel !== 'dingtalk') bad('secret', 'only a DingTalk robot (channel dingtalk) takes a secret');
    if (typeof b.secret !== 'string' || !DINGTALK_SECRET_RE.test(b.secret))
      bad(
        'secret',
        "must be the DingTalk robot's 加签 secret as its settings show it (SEC followed by letters and digits)",
      );
  }
  if (channel === 'log') {
    if (b.url !== undefined) bad('url', 'the log channel takes no URL');
    return { department: b.department, subject: b.subject, channel, url: null };
  }
  if (typeof b.url !== 'string') bad('url', `is required for channel ${channel}`);
  let url: URL;
  try {
    url = policy.checkSubscriptionUrl(channel, b.url);
  } catch (e) {
    if (e instanceof PolicyError) bad('url', e.reason);
    throw e;
  }
  const secret = typeof b.secret === 'string' ? { secret: b.secret } : {};
  return { department: b.department, subject: b.subject, channel, url: url.toString(), ...secret };
}

const STATUSES: readonly OutboxStatus[] = ['pending', 'enqueued', 'delivered', 'failed'];

export class SubscriptionsService {
  private readonly requeued: (() => void)[] = [];

  constructor(
    private readonly repo: DeliveryRepository,
    private readonly policy: WebhookPolicy = DEFAULT_POLICY,
    private readonly secrets?: SecretBox,
  ) {}

  /** Called after failed deliveries were put back in the outbox (the relay sends them). */
  onRequeued(listener: () => void): void {
    this.requeued.push(listener);
  }

  /** Adds a subscription; a DingTalk secret is stored encrypted and answered as `hasSecret: true` only. */
  async subscribe(principal: Principal, body: unknown): Promise<Subscription> {
    const { secret, ...s } = parseSubscription(body, this.policy);
    if (!canWrite(principal, s.department))
      throw new AccessDeniedError(403, `this key may not configure department "${s.department}"`);
    let secretEnc: string | null = null;
    if (secret !== undefined) {
      if (!this.secrets?.canStore)
        bad(
          'secret',
          'this server keeps no key for secrets: an operator must set SECRETS_KEY (32 bytes, base64 or 64 hex ' +
            'digits) for the API and the worker',
        );
      secretEnc = this.secrets.encrypt(secret);
    }
    return this.repo.addSubscription(s, secretEnc);
  }

  /** The subscriptions of the departments the principal may read. */
  async list(principal: Principal, department?: string) {
    const all = await this.repo.listSubscriptions(department);
    return { subscriptions: all.filter((s) => canRead(principal, s.department)) };
  }

  /** Deactivates a subscription (kept for the record); unknown or not the principal's: 404. */
  async unsubscribe(principal: Principal, id: number): Promise<Subscription> {
    const existing = (await this.repo.listSubscriptions(undefined, true)).find((s) => s.id === id);
    if (!existing || !canWrite(principal, existing.department)) throw new NotFoundError(`no subscription ${id}`);
    const done = await this.repo.deactivateSubscription(id);
    if (!done) throw new NotFoundError(`no subscription ${id}`);
    return done;
  }

  /** The outbox: pending, enqueued, delivered and failed deliveries, with counts. */
  async deliveries(filter: { status?: OutboxStatus; department?: string; year?: number }) {
    if (filter.status !== undefined && !STATUSES.includes(filter.status))
      bad('status', 'must be pending, enqueued, delivered or failed');
    const stream = filter.department && filter.year ? `${filter.department}/${filter.year}` : undefined;
    return {
      counts: await this.repo.outboxCounts(),
      deliveries: await this.repo.listOutbox({ status: filter.status, stream }),
    };
  }

  /** Sends failed deliveries again (same job ids: a receiver never gets one twice from us). */
  async retryFailed() {
    const requeued = await this.repo.requeue('failed');
    for (const listener of this.requeued) listener();
    return { requeued };
  }
}
