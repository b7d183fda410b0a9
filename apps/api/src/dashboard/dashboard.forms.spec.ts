import type { FormContext } from '#application/monitoring/monitoring.service.js';
import {
  checkAction,
  checkExplanation,
  checkProgress,
  formValues,
  refusedByIngest,
  returnTo,
} from './dashboard.forms.js';

const CTX: FormContext = {
  departmentName: '示范局',
  opened: true,
  closed: false,
  units: [{ unit: 'field', name: '产业发展科' }],
  lines: [{ line: 'l-seed', unit: 'field', name: '良种补贴资金', task: 'p-seed' }],
  projects: [{ task: 'p-seed', unit: 'field', title: '良种推广补贴项目' }],
  targets: [{ indicator: 'i-area', task: 'p-seed', name: '良种推广面积', target: '≥20000亩', unit: 'field' }],
  measures: [
    {
      eventId: 'e-1',
      kind: 'explanation',
      about: '良种推广补贴项目',
      measure: '加快拨付',
      unit: 'field',
      task: 'p-seed',
      date: '2025-07-15',
    },
  ],
};

const errors = (r: ReturnType<typeof checkExplanation>) => (r.ok ? [] : r.state.errors.map((e) => e.message));

describe('dashboard monitoring forms', () => {
  test('偏差说明: the event built from the form, the unit it concerns', () => {
    const r = checkExplanation(
      {
        subject: 'line:l-seed',
        asOf: '2025-07-31',
        cause: 'funding',
        reason: '资金未到位',
        measure: '加快拨付',
        due: '',
      },
      CTX,
      2025,
    );
    expect(r).toEqual({
      ok: true,
      filing: {
        type: 'DeviationExplained',
        data: {
          subject: { kind: 'line', id: 'l-seed' },
          asOf: '2025-07-31',
          cause: 'funding',
          reason: '资金未到位',
          measure: '加快拨付',
        },
        unit: 'field',
      },
    });
    const department = checkExplanation(
      { subject: 'department', asOf: '2025-07-31', cause: 'other', reason: '原因', measure: '措施' },
      CTX,
      2025,
    );
    expect(department.ok && department.filing).toMatchObject({ data: { subject: { kind: 'department' } }, unit: null });
  });

  test('each field named once, in Chinese', () => {
    expect(errors(checkExplanation({}, CTX, 2025))).toEqual([
      '请选择「说明对象」。',
      '「说明截至日期」不能为空。',
      '请选择「偏差原因」。',
      '「原因说明」不能为空。',
      '「纠偏措施」不能为空。',
    ]);
    expect(
      errors(
        checkExplanation(
          {
            subject: 'unit:nobody',
            asOf: '2025-02-30',
            cause: 'weather',
            reason: 'x'.repeat(2001),
            measure: '措施\u0000',
            due: 'soon',
          },
          CTX,
          2025,
        ),
      ),
    ).toEqual([
      '「说明对象」无效，请从列表中选择。',
      '「说明截至日期」须为有效日期（年-月-日），例如 2025-07-31。',
      '「偏差原因」无效，请从列表中选择。',
      '「原因说明」不能超过2000个字（现有2001个）。',
      '「纠偏措施」含有无法保存的控制字符，请删除后重新提交。',
      '「完成时限」须为有效日期（年-月-日），例如 2025-07-31。',
    ]);
  });

  test('进度填报: a deviation needs its cause and reason together; 完全不可能 needs both and a measure', () => {
    const base = { indicator: 'i-area', asOf: '2025-07-31', actual: '16000亩', likelihood: 'certain' };
    const ok = checkProgress({ ...base, expectedYearEnd: '', cause: '', reason: '', measure: '' }, CTX, 2025);
    expect(ok.ok && ok.filing.data).toEqual({
      indicator: 'i-area',
      asOf: '2025-07-31',
      actual: '16000亩',
      likelihood: 'certain',
    });
    expect(errors(checkProgress({ ...base, cause: 'policy' }, CTX, 2025))).toEqual([
      '已选择「偏差原因」时须填写「偏差原因说明」。',
    ]);
    expect(errors(checkProgress({ ...base, likelihood: 'impossible', reason: '人手不足' }, CTX, 2025))).toEqual([
      '「完成目标可能性」为“完全不可能”时须选择「偏差原因」。',
      '「完成目标可能性」为“完全不可能”时须填写「完善措施」。',
    ]);
    const full = checkProgress(
      { ...base, likelihood: 'possible', cause: 'staffing', reason: '人手不足', measure: '增派人员' },
      CTX,
      2025,
    );
    expect(full.ok && full.filing.data).toMatchObject({
      deviation: { cause: 'staffing', reason: '人手不足' },
      measure: '增派人员',
    });
  });

  test('整改进展: only a measure of the stream', () => {
    const ok = checkAction({ explanation: 'e-1', on: '2025-08-01', status: 'done', note: '已完成' }, CTX);
    expect(ok.ok && ok.filing).toEqual({
      type: 'CorrectiveActionReported',
      data: { explanation: 'e-1', on: '2025-08-01', status: 'done', note: '已完成' },
      unit: 'field',
    });
    expect(errors(checkAction({ explanation: 'e-2', on: '2025-08-01', status: 'done', note: 'x' }, CTX))).toEqual([
      '「整改措施」无效，请从列表中选择。',
    ]);
  });

  test('values trimmed with line breaks as \\n; the return page only to a known project, with valid dates', () => {
    const v = formValues(new URLSearchParams('reason=%20a%0D%0Ab%20&reason=second&back=p-seed&pageAsOf=2025-07-31'));
    expect(v).toEqual({ reason: 'a\nb', back: 'p-seed', pageAsOf: '2025-07-31' });
    expect(returnTo(v, CTX)).toEqual({ task: 'p-seed', asOf: '2025-07-31', knownOn: undefined });
    expect(returnTo({ back: '//evil.example', pageAsOf: 'x', pageKnownOn: '2025-02-30' }, CTX)).toEqual({
      task: null,
      asOf: undefined,
      knownOn: undefined,
    });
  });

  test("ingest's own refusals named by field", () => {
    const state = refusedByIngest('explanation', {}, [
      { index: 0, path: 'data.subject.id', reason: 'unknown unit "x": it needs a UnitRegistered first' },
      { index: 0, path: 'type', reason: 'the year is closed: after YearClosed only …' },
    ]);
    expect(state.errors).toEqual([
      { field: 'subject', message: '「说明对象」未通过校验：unknown unit "x": it needs a UnitRegistered first' },
      { field: '', message: '该年度已结账，不能再填报。' },
    ]);
  });
});
