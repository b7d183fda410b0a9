/**
 * The dashboard's monitoring forms (docs/dashboard.md, "Forms"): 偏差说明 (DeviationExplained),
 * 进度填报 (IndicatorProgressReported) and 整改进展 (CorrectiveActionReported), posted as
 * same-origin `application/x-www-form-urlencoded` forms. Each form is read and checked here, in
 * Chinese and naming the field, before its event is built; the event then goes through the same
 * ingest as POST /api/v1/events, whose own refusals (a rule this check does not know) are named by
 * field here too.
 */
import type { Request } from 'express';
import type { FormContext } from '#application/monitoring/monitoring.service.js';
import { PayloadTooLargeError, type EventError } from '#application/common/errors.js';
import { isIsoDate } from '#domain/dates.js';
import {
  ACTION_STATUSES,
  DEVIATION_CAUSES,
  LIKELIHOODS,
  type ActionStatus,
  type DeviationCause,
  type EventDataByType,
  type Likelihood,
  type Subject,
} from '#domain/events.js';
import { LIKELIHOOD_TEXT } from './dashboard.labels.js';

export const FORM_KINDS = ['explanation', 'progress', 'action'] as const;
export type FormKind = (typeof FORM_KINDS)[number];

/** The largest form body read (a reason, a measure and a note of 2,000 Chinese characters each fit). */
export const FORM_LIMIT = 64 * 1024;
/** Reasons, measures and notes: 1–2000 characters (contract v1.1). */
const MAX_TEXT = 2000;
/** Printed values (实际完成值, 全年预计完成值): up to 100 characters, as ingest allows. */
const MAX_VALUE = 100;
const KEY_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Control characters other than tab and line breaks, NUL included, and lone surrogates: not storable text. */
const UNSTORABLE =
  // eslint-disable-next-line no-control-regex -- these are the characters the pattern is for
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Every form's fields with their labels, in the order a page shows them. */
export const FIELD_LABELS: Record<FormKind, Record<string, string>> = {
  explanation: {
    subject: '说明对象',
    asOf: '说明截至日期',
    cause: '偏差原因',
    reason: '原因说明',
    measure: '纠偏措施',
    due: '完成时限',
  },
  progress: {
    indicator: '绩效指标',
    asOf: '填报截至日期',
    actual: '累计实际完成值',
    expectedYearEnd: '全年预计完成值',
    likelihood: '完成目标可能性',
    cause: '偏差原因',
    reason: '偏差原因说明',
    measure: '完善措施',
  },
  action: {
    explanation: '整改措施',
    on: '进展日期',
    status: '整改状态',
    note: '进展说明',
  },
};

export interface FormError {
  /** The form field it is about ('' for the form as a whole). */
  field: string;
  /** Chinese, naming the field. */
  message: string;
}

/** A form as it was submitted and what was wrong with it: what the page shows again after a refusal. */
export interface FormState {
  kind: FormKind;
  values: Record<string, string>;
  errors: FormError[];
}

/** Where a form returns to: the department page or a project's page, with that page's dates. */
export interface ReturnTo {
  task: string | null;
  asOf?: string;
  knownOn?: string;
}

/** What a checked form files: the event's type and data, and the unit (null: the department) it concerns. */
export type Filing = {
  [T in 'DeviationExplained' | 'IndicatorProgressReported' | 'CorrectiveActionReported']: {
    type: T;
    data: EventDataByType[T];
    unit: string | null;
  };
}['DeviationExplained' | 'IndicatorProgressReported' | 'CorrectiveActionReported'];

export type Checked = { ok: true; filing: Filing } | { ok: false; state: FormState };

/**
 * The form's fields: from a body a parser already read, else read here from the request (at most
 * FORM_LIMIT bytes: a 413 beyond).
 */
export async function readForm(req: Request, limit = FORM_LIMIT): Promise<URLSearchParams> {
  const parsed: unknown = req.body;
  if (parsed !== null && typeof parsed === 'object' && !Buffer.isBuffer(parsed)) {
    const out = new URLSearchParams();
    for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') out.append(k, v);
    return out;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new PayloadTooLargeError(`the form is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The fields as text: trimmed, line breaks as \n, the first value of a repeated field. */
export function formValues(body: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of body) if (!(k in out)) out[k] = v.replace(/\r\n?/g, '\n').trim();
  return out;
}

/** Where to return: a project of the stream (else the department page) and that page's valid dates. */
export function returnTo(values: Record<string, string>, ctx: FormContext): ReturnTo {
  const task = values.back ?? '';
  const date = (v: string | undefined) => (v && isIsoDate(v) ? v : undefined);
  return {
    task: ctx.projects.some((p) => p.task === task) ? task : null,
    asOf: date(values.pageAsOf),
    knownOn: date(values.pageKnownOn),
  };
}

/** The checks of one form: each failed check adds one error naming its field. */
class FormCheck {
  readonly errors: FormError[] = [];
  constructor(
    private readonly kind: FormKind,
    private readonly values: Record<string, string>,
  ) {}

  label(field: string): string {
    return `「${FIELD_LABELS[this.kind][field] ?? field}」`;
  }

  fail(field: string, message: string): void {
    if (!this.errors.some((e) => e.field === field)) this.errors.push({ field, message });
  }

  has(field: string): boolean {
    return (this.values[field] ?? '') !== '';
  }

  /** A text field: required unless optional, at most `max` characters, storable. */
  text(field: string, max: number, optional = false): string | undefined {
    const v = this.values[field] ?? '';
    if (v === '') {
      if (!optional) this.fail(field, `${this.label(field)}不能为空。`);
      return undefined;
    }
    if (v.length > max) return void this.fail(field, `${this.label(field)}不能超过${max}个字（现有${v.length}个）。`);
    if (UNSTORABLE.test(v))
      return void this.fail(field, `${this.label(field)}含有无法保存的控制字符，请删除后重新提交。`);
    return v;
  }

  /** One of the choices of a select. */
  choice<T extends string>(field: string, values: readonly T[], optional = false): T | undefined {
    const v = this.values[field] ?? '';
    if (v === '') {
      if (!optional) this.fail(field, `请选择${this.label(field)}。`);
      return undefined;
    }
    if (!values.includes(v as T)) return void this.fail(field, `${this.label(field)}无效，请从列表中选择。`);
    return v as T;
  }

  /** A date YYYY-MM-DD, inside `year` when given. */
  date(field: string, year: number | null, optional = false): string | undefined {
    const v = this.values[field] ?? '';
    if (v === '') {
      if (!optional) this.fail(field, `${this.label(field)}不能为空。`);
      return undefined;
    }
    if (!isIsoDate(v)) return void this.fail(field, `${this.label(field)}须为有效日期（年-月-日），例如 2025-07-31。`);
    if (year !== null && Number(v.slice(0, 4)) !== year)
      return void this.fail(field, `${this.label(field)}须在${year}年内。`);
    return v;
  }

  result(build: () => Filing | undefined): Checked {
    const filing = this.errors.length === 0 ? build() : undefined;
    if (filing) return { ok: true, filing };
    return { ok: false, state: { kind: this.kind, values: this.values, errors: this.errors } };
  }
}

/** A subject choice: "department", or "unit:ID", "line:ID", "task:ID" of the stream. */
function subjectOf(value: string, ctx: FormContext): { subject: Subject; unit: string | null } | null {
  if (value === 'department') return { subject: { kind: 'department' }, unit: null };
  const colon = value.indexOf(':');
  const kind = value.slice(0, colon);
  const id = value.slice(colon + 1);
  if (colon < 0 || !KEY_RE.test(id)) return null;
  if (kind === 'unit') {
    const u = ctx.units.find((x) => x.unit === id);
    return u ? { subject: { kind, id }, unit: u.unit } : null;
  }
  if (kind === 'line') {
    const l = ctx.lines.find((x) => x.line === id);
    return l ? { subject: { kind, id }, unit: l.unit } : null;
  }
  if (kind === 'task') {
    const t = ctx.projects.find((x) => x.task === id);
    return t ? { subject: { kind, id }, unit: t.unit } : null;
  }
  return null;
}

/** 偏差说明 → DeviationExplained. */
export function checkExplanation(values: Record<string, string>, ctx: FormContext, year: number): Checked {
  const c = new FormCheck('explanation', values);
  let subject: ReturnType<typeof subjectOf> = null;
  if (!c.has('subject')) c.fail('subject', `请选择${c.label('subject')}。`);
  else {
    subject = subjectOf(values.subject ?? '', ctx);
    if (!subject) c.fail('subject', `${c.label('subject')}无效，请从列表中选择。`);
  }
  const asOf = c.date('asOf', year);
  const cause = c.choice<DeviationCause>('cause', DEVIATION_CAUSES);
  const reason = c.text('reason', MAX_TEXT);
  const measure = c.text('measure', MAX_TEXT);
  const due = c.date('due', null, true);
  if (due !== undefined && asOf !== undefined && due < asOf)
    c.fail('due', `${c.label('due')}不能早于${c.label('asOf')}（${asOf}）。`);
  return c.result(() =>
    subject && asOf && cause && reason && measure
      ? {
          type: 'DeviationExplained',
          data: { subject: subject.subject, asOf, cause, reason, measure, ...(due ? { due } : {}) },
          unit: subject.unit,
        }
      : undefined,
  );
}

/** 进度填报 → IndicatorProgressReported (a project's target). */
export function checkProgress(values: Record<string, string>, ctx: FormContext, year: number): Checked {
  const c = new FormCheck('progress', values);
  const target = ctx.targets.find((t) => t.indicator === values.indicator);
  if (!c.has('indicator')) c.fail('indicator', `请选择${c.label('indicator')}。`);
  else if (!target) c.fail('indicator', `${c.label('indicator')}无效，请从列表中选择。`);
  const asOf = c.date('asOf', year);
  const actual = c.text('actual', MAX_VALUE);
  const expectedYearEnd = c.text('expectedYearEnd', MAX_VALUE, true);
  const likelihood = c.choice<Likelihood>('likelihood', LIKELIHOODS);
  const cause = c.choice<DeviationCause>('cause', DEVIATION_CAUSES, true);
  const reason = c.text('reason', MAX_TEXT, true);
  const measure = c.text('measure', MAX_TEXT, true);
  const doubtful = likelihood === 'possible' || likelihood === 'impossible';
  if (likelihood && doubtful) {
    const when = `${c.label('likelihood')}为“${LIKELIHOOD_TEXT[likelihood]}”时`;
    if (!c.has('cause')) c.fail('cause', `${when}须选择${c.label('cause')}。`);
    if (!c.has('reason')) c.fail('reason', `${when}须填写${c.label('reason')}。`);
    if (!c.has('measure')) c.fail('measure', `${when}须填写${c.label('measure')}。`);
  } else {
    if (c.has('cause') && !c.has('reason')) c.fail('reason', `已选择${c.label('cause')}时须填写${c.label('reason')}。`);
    if (c.has('reason') && !c.has('cause')) c.fail('cause', `已填写${c.label('reason')}时须选择${c.label('cause')}。`);
  }
  return c.result(() =>
    target && asOf && actual && likelihood
      ? {
          type: 'IndicatorProgressReported',
          data: {
            indicator: target.indicator,
            asOf,
            actual,
            ...(expectedYearEnd ? { expectedYearEnd } : {}),
            likelihood,
            ...(cause && reason ? { deviation: { cause, reason } } : {}),
            ...(measure ? { measure } : {}),
          },
          unit: target.unit,
        }
      : undefined,
  );
}

/** 整改进展 → CorrectiveActionReported (a measure recorded in the stream). */
export function checkAction(values: Record<string, string>, ctx: FormContext): Checked {
  const c = new FormCheck('action', values);
  const measure = ctx.measures.find((m) => m.eventId === values.explanation);
  if (!c.has('explanation')) c.fail('explanation', `请选择${c.label('explanation')}。`);
  else if (!measure) c.fail('explanation', `${c.label('explanation')}无效，请从列表中选择。`);
  const on = c.date('on', null);
  const status = c.choice<ActionStatus>('status', ACTION_STATUSES);
  const note = c.text('note', MAX_TEXT);
  return c.result(() =>
    measure && on && status && note
      ? {
          type: 'CorrectiveActionReported',
          data: { explanation: measure.eventId, on, status, note },
          unit: measure.unit,
        }
      : undefined,
  );
}

export function checkForm(kind: FormKind, values: Record<string, string>, ctx: FormContext, year: number): Checked {
  switch (kind) {
    case 'explanation':
      return checkExplanation(values, ctx, year);
    case 'progress':
      return checkProgress(values, ctx, year);
    case 'action':
      return checkAction(values, ctx);
  }
}

/** The form field an ingest error's path is about ('' when none). */
function fieldOfPath(kind: FormKind, path: string): string {
  const p = path.replace(/^data\./, '');
  if (kind === 'explanation' && p.startsWith('subject')) return 'subject';
  if (kind === 'progress' && p.startsWith('deviation.')) return p.slice('deviation.'.length);
  const field = p.split('.')[0] ?? '';
  return field in FIELD_LABELS[kind] ? field : '';
}

/**
 * Ingest's refusals of a checked form (a rule this module does not check, or the year closed in
 * the meantime), each named by its field in Chinese; the reason ingest gives is kept after it.
 */
export function refusedByIngest(kind: FormKind, values: Record<string, string>, errors: EventError[]): FormState {
  const out: FormError[] = [];
  for (const e of errors) {
    const field = fieldOfPath(kind, e.path);
    const message = /year is closed/.test(e.reason)
      ? '该年度已结账，不能再填报。'
      : field
        ? `「${FIELD_LABELS[kind][field]}」未通过校验：${e.reason}`
        : `提交未被接受：${e.reason}`;
    if (!out.some((x) => x.field === field && x.message === message)) out.push({ field, message });
  }
  return { kind, values, errors: out.length ? out : [{ field: '', message: '提交未被接受，请检查后重新提交。' }] };
}
