/** OpenAPI schemas of month closes, notices, alerts, subscriptions and deliveries. */
import {
  anyValue,
  arr,
  bool,
  date,
  dateTime,
  DEPARTMENT,
  int,
  level,
  model,
  nullable,
  obj,
  str,
  YEAR,
  type Schema,
} from '../http/openapi.js';

const ALERT_FIGURES = obj(
  'The figures of the month that raised (or cleared) the alert',
  {
    month: int('Month'),
    rate: nullable(str('Cumulative rate (percent)')),
    schedule: str('Schedule (percent)'),
    lag: nullable(str('Lag in percentage points')),
    level: nullable(level('Alert level')),
    runRate: str('Run rate (yuan per month)'),
    runRateMonths: int('Months averaged'),
    checkpoint: nullable(
      obj('The next checkpoint of the schedule', {
        quarter: nullable(int('Quarter 1–4 when the checkpoint is a quarter end'), 'Null for another checkpoint'),
        date: date('Date of the checkpoint'),
        percent: str('Schedule'),
      }),
    ),
    projectedRate: nullable(str('Rate projected at the checkpoint')),
    projectedLevel: nullable(level('Level projected at the checkpoint')),
    willMissCheckpoint: bool('The run rate misses the checkpoint'),
    customSchedule: bool(
      "Present (true) when the stream's checkpoints are not the four quarter ends (YearOpened.checkpoints)",
    ),
  },
  ['customSchedule'],
);

const ALERT_FIELDS: Record<string, Schema> = {
  department: DEPARTMENT,
  year: YEAR,
  subject: str('"department" or a unit id'),
  subjectName: str('Department or unit name (Chinese)'),
  kind: str(
    'level: the lag level worsened; forecast: the run rate will miss the next checkpoint; divergence: a ' +
      "project's spending rate and its targets' completion differ by the threshold or more; unexplained: a " +
      'yellow or red subject without a deviation explanation past the explanation period; target-at-risk: a ' +
      'progress report says a target is unlikely to be met (docs/monitoring.md)',
    { enum: ['level', 'forecast', 'divergence', 'unexplained', 'target-at-risk'] },
  ),
  level: level('Severity (yellow or red)'),
  month: int('Month whose figures raised it'),
  figures: {
    oneOf: [
      ALERT_FIGURES,
      obj(
        'The figures of a monitoring alert (divergence, unexplained, target-at-risk), docs/monitoring.md',
        {
          month: int('Month'),
          asOf: date("The month's last day: the monitoring answer's date"),
          about: anyValue('What it is about: {kind: department | unit | line | task | indicator, id}'),
          unit: nullable(str('The unit it belongs to'), 'Null: the department'),
          unitName: nullable(str('Its name (Chinese)')),
          divergence: anyValue('Divergence alerts: rate, completion, difference, direction'),
          deviation: anyValue('Unexplained alerts: rate, level, since, working days open, the explanation'),
          target: anyValue('Target-at-risk alerts: the target and its latest progress'),
        },
        ['divergence', 'deviation', 'target'],
      ),
    ],
  },
  message: str('The alert in words (Chinese)'),
};

const OPEN_ALERT = obj('An alert as raised', {
  id: str(
    'Alert id: alert:{department}:{year}:{subject}:{kind}:{level}:{month}; monitoring kinds add what they are ' +
      'about: alert:{department}:{year}:{subject}:{kind}:{about}:{level}:{month}',
  ),
  ...ALERT_FIELDS,
  raisedOn: date('When it was raised'),
});

const ALERT_CHANGE = model(
  'AlertChange',
  obj('An alert raised or cleared by a month close', {
    id: str('Delivery id: the alert id when raised, `{alert id}:cleared` when cleared'),
    change: str('raised or cleared', { enum: ['raised', 'cleared'] }),
    reason: str('Why', {
      enum: ['worsened', 'escalated', 'recovered', 'replaced', 'not_applicable', 'explained'],
    }),
    alertId: str('The alert'),
    ...ALERT_FIELDS,
    date: date('Date of the evaluation'),
    replaces: nullable(str('A raised red alert: the yellow one it replaces')),
    replacedBy: nullable(str('A cleared yellow alert: the red one replacing it')),
    alert: OPEN_ALERT,
  }),
);

export const CLOSE_BODY = model(
  'CloseMonthRequest',
  obj(
    'How to close the month (every field optional; no body is the same as {})',
    {
      reissue: bool('Issue new revisions of notices already issued for the month (needs a reason)'),
      reason: str('Why a re-issue was needed (kept with the revision)', { maxLength: 500 }),
      knownOn: date('Figures as known on this date (replays of past years); default: everything known now'),
    },
    ['reissue', 'reason', 'knownOn'],
  ),
);

export const CLOSE_RESULT = model(
  'CloseMonthResult',
  obj('What the month close did', {
    stream: str('Stream id `{department}/{year}`'),
    month: int('Month 1–12'),
    status: str('closed now, reissued, or already-closed (nothing was done: the issued notices are listed)', {
      enum: ['closed', 'reissued', 'already-closed'],
    }),
    notices: arr(
      'The notices issued (the department summary and one per unit)',
      obj('One notice', {
        id: str('Notice id: notice:{department}:{year}:{subject}:{month}'),
        revision: int('Revision (1 first, higher for re-issues)'),
        subject: str('"department" or a unit id'),
        title: str('Title (Chinese)'),
        level: nullable(level('Alert level of the figures')),
      }),
    ),
    alerts: obj('Alerts evaluated at this close', {
      raised: arr('Alerts raised', ALERT_CHANGE),
      cleared: arr('Alerts cleared', ALERT_CHANGE),
      evaluated: bool('False when a later month was already evaluated (alerts move forward month by month)'),
    }),
    deliveries: int('Deliveries queued in the outbox'),
  }),
);

export const MONTHS = model(
  'ClosedMonths',
  obj('The closed months of the year', {
    months: arr(
      'One per closed month, in month order',
      obj('One month close', {
        stream: str('Stream id'),
        month: int('Month 1–12'),
        knownOn: nullable(date('As known on this date'), 'Null: everything known at the close'),
        streamVersion: int('Stream version the close was computed from'),
        projectionPosition: int('Projection position at the close'),
        alertsEvaluated: bool('Alerts were evaluated at this close'),
        closedAt: dateTime('When'),
        closedBy: str('api, cli, schedule or replay'),
      }),
    ),
  }),
);

const NOTICE_FIELDS: Record<string, Schema> = {
  noticeId: str('Notice id: notice:{department}:{year}:{subject}:{month}'),
  revision: int('Revision'),
  stream: str('Stream id'),
  department: DEPARTMENT,
  year: YEAR,
  subject: str('"department" (the summary) or a unit id'),
  month: int('Month 1–12'),
  title: str('Title (Chinese)'),
  recipients: arr(
    'Subscriptions it was sent to, without their secrets (the URL with its robot key is on the subscription)',
    obj('A recipient', {
      subscription: int('Subscription id'),
      channel: str('Channel'),
      target: nullable(
        str(
          "Where it went, masked: a webhook's scheme and host (`https://hooks.example.com`); a robot's host and the " +
            'last 4 characters of its key (`qyapi.weixin.qq.com … key=••••3f2a`)',
        ),
        'Null for the log channel',
      ),
    }),
  ),
  computedFrom: obj('What the figures were computed from', {
    stream: str('Stream id'),
    streamVersion: int('Stream version'),
    throughVersion: int('Stream version'),
    projectionPosition: int('Projection position'),
    knownOn: nullable(date('As known on')),
    month: int('Month'),
  }),
  reason: nullable(str('Why it was re-issued'), 'Null for a first issue'),
  issuedAt: dateTime('When'),
};

export const NOTICE_LIST = model(
  'NoticeList',
  obj('The issued notices (latest revision of each), without their bodies; newest month first', {
    notices: arr('Notices', obj('A notice', NOTICE_FIELDS)),
  }),
);

const NOTICE_CONTENT = obj(
  'The notice as data (its kind is "unit" or "department")',
  {
    id: str('Notice id'),
    kind: str('unit or department', { enum: ['unit', 'department'] }),
    department: DEPARTMENT,
    departmentName: str('Department name (Chinese)'),
    year: YEAR,
    month: int('Month'),
    asOf: date('Figures as of the month end'),
    knownOn: nullable(date('As known on')),
    source: str('Fund source filter'),
    figures: anyValue(
      'Budget, spending of the month and cumulative, rate, schedule, lag, level and its Chinese label (正常, 黄色预警, 红色预警), checkpoint gap',
    ),
    plan: anyValue("This month's plan (下月计划 filed the month before) against the actual spending"),
    nextPlan: anyValue('The plan for the following month; null in December'),
    forecast: anyValue('Run rate, next checkpoint projection and year-end projection'),
    unit: str('Unit notices: unit id'),
    unitName: str('Unit notices: unit name (Chinese)'),
    rank: anyValue('Unit notices: rank by execution rate { position, of }'),
    units: anyValue('Department notices: every unit, best rank first'),
    red: anyValue('Department notices: units at red'),
    yellow: anyValue('Department notices: units at yellow'),
  },
  ['unit', 'unitName', 'rank', 'units', 'red', 'yellow'],
);

export const NOTICE = model('Notice', {
  description: 'One notice with its bodies: Markdown and HTML (Chinese) and the data they were rendered from',
  allOf: [
    obj('', NOTICE_FIELDS),
    obj('', {
      markdown: str('The notice as Markdown (Chinese)'),
      html: str('The notice as an HTML fragment (Chinese)'),
      content: NOTICE_CONTENT,
    }),
  ],
});

const ALERT_RECORD = obj('An alert and what became of it', {
  ...OPEN_ALERT.properties,
  status: str('open or cleared', { enum: ['open', 'cleared'] }),
  replaces: nullable(str('A red alert: the yellow one it replaced')),
  replacedBy: nullable(str('A cleared yellow alert: the red one that replaced it')),
  cleared: nullable(
    obj('How it was cleared', {
      month: int('Month of the clearing evaluation'),
      on: date('Date'),
      reason: str('Why'),
      figures: anyValue('The figures then'),
      message: str('In words (Chinese)'),
    }),
    'Null while open',
  ),
});

export const ALERTS = model(
  'Alerts',
  obj('Alerts raised and cleared, newest month first', {
    open: arr('Alerts open now', ALERT_RECORD),
    past: arr('Alerts cleared', ALERT_RECORD),
  }),
);

export const CHANNELS = ['webhook', 'wecom', 'dingtalk', 'log'];

export const SUBSCRIPTION_BODY = model(
  'SubscriptionRequest',
  obj(
    "A channel to send a unit's (or the department's, or every) notices and alerts to",
    {
      department: DEPARTMENT,
      subject: str('A unit id, "department" (the summary and its alerts) or "*" (everything)', {
        pattern: '^([A-Za-z0-9][A-Za-z0-9._-]{0,63}|\\*)$',
        example: 'department',
      }),
      channel: str('webhook (JSON POST), wecom (WeCom robot), dingtalk (DingTalk robot) or log', { enum: CHANNELS }),
      url: str(
        'Required except for the log channel, which takes none. A webhook: an https URL (http only where the ' +
          'operator allows it) of a public address, or one the operator allows (WEBHOOK_ALLOW). WeCom: ' +
          'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…; DingTalk: ' +
          'https://oapi.dingtalk.com/robot/send?access_token=… (exactly these, with the key only).',
        { format: 'uri' },
      ),
      secret: str(
        "DingTalk only: the robot's 加签 secret (SEC…). Stored encrypted and used to sign each message; never " +
          'shown again (answers say `hasSecret: true`).',
        { pattern: '^SEC[A-Za-z0-9]{16,200}$', writeOnly: true },
      ),
    },
    ['url', 'secret'],
  ),
);

export const SUBSCRIPTION = model(
  'Subscription',
  obj('A subscription', {
    id: int('Id'),
    department: DEPARTMENT,
    subject: str('A unit id, "department" or "*"'),
    channel: str('Channel', { enum: CHANNELS }),
    url: nullable(str('Receiver URL'), 'Null for the log channel'),
    active: bool('False once unsubscribed (kept for the record)'),
    createdAt: dateTime('When'),
    hasSecret: bool('A DingTalk 加签 secret is stored (its value is never shown)'),
  }),
);

export const SUBSCRIPTIONS = model(
  'SubscriptionList',
  obj('Active subscriptions of the departments the key may read', {
    subscriptions: arr('Subscriptions, oldest first', SUBSCRIPTION),
  }),
);

const STATUSES = ['pending', 'enqueued', 'delivered', 'failed'];

export const DELIVERIES = model(
  'Deliveries',
  obj('The delivery outbox: counts by state, and the latest 200 deliveries', {
    counts: obj('Deliveries by state', {
      pending: int('Waiting to be sent'),
      enqueued: int('Handed to the queue'),
      delivered: int('Delivered'),
      failed: int('Failed after every attempt'),
    }),
    deliveries: arr(
      'Newest first',
      obj('One delivery', {
        id: int('Id'),
        jobId: str('Job id (a receiver never gets one job twice)'),
        channel: str('Channel', { enum: CHANNELS }),
        subscriptionId: nullable(int('Subscription')),
        stream: str('Stream id'),
        kind: str('notice or alert', { enum: ['notice', 'alert'] }),
        itemId: str('Notice or alert id'),
        url: nullable(str('Receiver URL')),
        payload: anyValue('What is sent (per channel; Chinese text)'),
        status: str('State', { enum: STATUSES }),
        attempts: int('Attempts so far'),
        lastError: nullable(str('The last failure')),
        createdAt: dateTime('Queued in the outbox'),
        enqueuedAt: nullable(dateTime('Handed to the queue')),
        finishedAt: nullable(dateTime('Delivered or failed')),
      }),
    ),
  }),
);

export const RETRIED = model(
  'RetriedDeliveries',
  obj('Failed deliveries put back in the outbox', { requeued: int('How many') }),
);
