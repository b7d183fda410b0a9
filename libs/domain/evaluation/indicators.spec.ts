import {
  ActualParseError,
  TargetParseError,
  UnitMismatchError,
  canonicalUnit,
  judgeIndicator,
  parseActual,
  parseTarget,
  type ParsedTarget,
} from './indicators.js';

function quantitative(text: string) {
  const t = parseTarget(text);
  if (t.kind !== 'quantitative') throw new Error(`expected a quantitative target, got ${t.kind}`);
  return { comparator: t.comparator, value: t.value.toFixed(), unit: t.unit, per: t.per };
}

describe('parseTarget', () => {
  test.each([
    ['≥18处', '>=', '18', '处', null],
    ['72家', '>=', '72', '家', null],
    ['≤5%', '<=', '5', '%', null],
    ['100%', '>=', '100', '%', null],
    ['10天内', '<=', '10', '天', null],
    ['每季度10家企业', '>=', '10', '家企业', '季度'],
    ['>3个', '>', '3', '个', null],
    ['<2次', '<', '2', '次', null],
    ['>=95%', '>=', '95', '%', null],
    ['<=7天', '<=', '7', '天', null],
    ['＞３个', '>', '3', '个', null],
    ['≥９５％', '>=', '95', '%', null],
    ['100家以上', '>=', '100', '家', null],
    ['5%以下', '<=', '5', '%', null],
    ['30分钟以内', '<=', '30', '分钟', null],
    ['72 家', '>=', '72', '家', null],
    ['不少于1,200人次', '>=', '1200', '人次', null],
    ['不超过3.5万元', '<=', '3.5', '万元', null],
    ['每月2次', '>=', '2', '次', '月'],
    ['12', '>=', '12', null, null],
  ])('%s', (text, comparator, value, unit, per) => {
    expect(quantitative(text)).toEqual({ comparator, value, unit, per });
  });

  test('qualitative and not applicable', () => {
    expect(parseTarget('显著')).toEqual({ kind: 'qualitative', text: '显著', label: '显著' });
    expect(parseTarget(' 不适用 ')).toEqual({ kind: 'not_applicable', text: ' 不适用 ' });
  });

  test.each(['', '   ', '≥', '≥处', '10-20家', '约18处至20处', '≥18处以下', '18处3天'])(
    'unparseable %j throws',
    (text) => {
      expect(() => parseTarget(text)).toThrow(TargetParseError);
    },
  );

  test('the error names the text in English and Chinese', () => {
    let error: unknown;
    try {
      parseTarget('10-20家');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TargetParseError);
    const e = error as TargetParseError;
    expect(e.text).toBe('10-20家');
    expect(e.message).toContain('cannot parse indicator target "10-20家"');
    expect(e.message).toContain('无法解析绩效指标目标值“10-20家”');
  });
});

describe('parseActual', () => {
  test('per-period average', () => {
    const a = parseActual('每季度平均16家次');
    expect(a.kind).toBe('quantitative');
    if (a.kind === 'quantitative') expect([a.value.toFixed(), a.unit, a.per]).toEqual(['16', '家次', '季度']);
  });
  test('unreadable actual', () => {
    expect(() => parseActual('16-18家')).toThrow(ActualParseError);
  });
});

describe('canonicalUnit', () => {
  test('compares by measure word, keeping compound units whole', () => {
    expect(canonicalUnit('家企业')).toBe(canonicalUnit('家次'));
    expect(canonicalUnit('万元')).toBe('万元');
    expect(canonicalUnit('万元')).not.toBe(canonicalUnit('元'));
  });
});

describe('judgeIndicator', () => {
  test.each([
    ['≥95%', '94.5%', 'not_met'],
    ['≥95%', '95%', 'met'],
    ['>95%', '95%', 'not_met'],
    ['72家', '73家', 'met'],
    ['72家', '71家', 'not_met'],
    ['≥18处', '18处', 'met'],
    ['48处', '48处', 'met'],
    ['10天内', '3天', 'met'],
    ['10天内', '10天', 'met'],
    ['10天内', '11天', 'not_met'],
    ['<10天', '10天', 'not_met'],
    ['每季度10家企业', '每季度平均16家次', 'met'],
    ['每季度10家企业', '每季度平均9家次', 'not_met'],
    ['≥90%', '90%', 'met'],
    ['100%', '100%', 'met'],
    ['100%', '99.99%', 'not_met'],
    ['≤5%', '5.01%', 'not_met'],
    ['≥18处', '18', 'met'],
    ['显著', '显著', 'met'],
    ['显著', '一般', 'not_met'],
    ['不适用', '不适用', 'not_applicable'],
    ['不适用', '无', 'not_applicable'],
  ])('%s vs %s → %s', (target, actual, expected) => {
    expect(judgeIndicator(target, actual)).toBe(expected);
  });

  test('qualitative targets use met when given', () => {
    expect(judgeIndicator('显著', '100%', true)).toBe('met');
    expect(judgeIndicator('显著', '显著', false)).toBe('not_met');
  });

  test('a numeric target with a word actual needs met', () => {
    expect(judgeIndicator('100%', '全部完成', true)).toBe('met');
    expect(() => judgeIndicator('100%', '全部完成')).toThrow(ActualParseError);
  });

  test('accepts a parsed target', () => {
    const t: ParsedTarget = parseTarget('≤5%');
    expect(judgeIndicator(t, '4.99%')).toBe('met');
  });

  test('units must agree when both are printed', () => {
    expect(() => judgeIndicator('72家', '73处')).toThrow(UnitMismatchError);
    expect(() => judgeIndicator('10天内', '3小时')).toThrow(/不一致/);
    expect(() => judgeIndicator('每季度10家', '每月5家')).toThrow(UnitMismatchError);
  });

  test('an applicable target cannot have a 不适用 actual', () => {
    expect(() => judgeIndicator('72家', '不适用')).toThrow(ActualParseError);
  });
});
