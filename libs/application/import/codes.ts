/** Fund sources, categories and economic classes as printed in Chinese budget tables, and back. */
import type { Category, Economic, FundSource } from '#domain/events.js';
import type { ParseResult } from './dates.js';
import type { CellValue } from './text.js';

const key = (v: string) =>
  v
    .normalize('NFKC')
    .replace(/[\s"'“”‘’「」]/g, '')
    .toLowerCase();

const FISCAL =
  /^(财政拨款|财政资金|财政|一般公共预算|一般公共预算拨款|一般公共预算资金|一般公共预算收入|政府性基金|政府性基金预算|政府性基金预算拨款|国有资本经营预算|国有资本经营预算拨款|财政补助|fiscal)(资金|收入|拨款)?$/;
const OTHER =
  /^(其他资金|其他收入|其他|单位资金|自有资金|事业收入|经营收入|上级补助收入|附属单位上缴收入|非财政拨款|非财政资金|other)$/;

/** 财政拨款 / 一般公共预算 (and the other 财政 budgets) → fiscal; 其他资金 / 其他收入 / 单位资金 → other. */
export function sourceOf(text: string): FundSource | undefined {
  const k = key(text).replace(/^其中[:]?/, '');
  if (FISCAL.test(k)) return 'fiscal';
  if (OTHER.test(k)) return 'other';
  return undefined;
}

function text(value: CellValue): string | null {
  if (value === null) return null;
  const s = String(value).trim();
  return s === '' ? null : s;
}

export function parseSource(value: CellValue): ParseResult<FundSource> {
  const s = text(value);
  if (s === null) return { ok: true, value: null };
  const src = sourceOf(s);
  return src
    ? { ok: true, value: src }
    : {
        ok: false,
        reason: `unknown fund source ${JSON.stringify(s)} (use 财政拨款 / 一般公共预算, or 其他资金 / 其他收入)`,
      };
}

export function parseCategory(value: CellValue): ParseResult<Category> {
  const s = text(value);
  if (s === null) return { ok: true, value: null };
  const k = key(s);
  if (/^(基本支出|基本|basic)$/.test(k)) return { ok: true, value: 'basic' };
  if (/^(项目支出|项目|project)$/.test(k)) return { ok: true, value: 'project' };
  return { ok: false, reason: `unknown 项目类别 ${JSON.stringify(s)} (use 基本支出 or 项目支出)` };
}

/**
 * 人员经费 / 工资福利支出 / 对个人和家庭的补助 (301, 303) → personnel; 日常公用经费 / 商品和服务支出
 * (302) → routine_public; “三公”经费 (30212, 30217, 30231) → three_public; 其他 / 资本性支出 → other.
 */
export function parseEconomic(value: CellValue): ParseResult<Economic> {
  const s = text(value);
  if (s === null) return { ok: true, value: null };
  const k = key(s);
  const code = /^(\d{3,7})/.exec(k)?.[1];
  if (code) {
    if (/^(30212|30217|30231)/.test(code)) return { ok: true, value: 'three_public' };
    if (/^30[13]/.test(code)) return { ok: true, value: 'personnel' };
    if (/^302/.test(code)) return { ok: true, value: 'routine_public' };
    return { ok: true, value: 'other' };
  }
  if (/三公|公务接待|公务用车|因公出国/.test(k) || k === 'three_public') return { ok: true, value: 'three_public' };
  if (/^(人员经费|人员支出|工资福利支出|对个人和家庭的补助|personnel)$/.test(k))
    return { ok: true, value: 'personnel' };
  if (/^(日常公用经费|公用经费|商品和服务支出|routine_public)$/.test(k)) return { ok: true, value: 'routine_public' };
  if (/^(其他|其他支出|其他经费|业务经费|资本性支出|other)$/.test(k)) return { ok: true, value: 'other' };
  return {
    ok: false,
    reason: `unknown 经济分类 ${JSON.stringify(s)} (use 人员经费, 日常公用经费, “三公”经费 or 其他, or a 301/302/303… code)`,
  };
}

/** Labels the exporter writes (and the parsers above read back). */
export const SOURCE_LABEL: Record<FundSource, string> = { fiscal: '财政拨款', other: '其他资金' };
export const CATEGORY_LABEL: Record<Category, string> = { basic: '基本支出', project: '项目支出' };
export const ECONOMIC_LABEL: Record<Economic, string> = {
  personnel: '人员经费',
  routine_public: '日常公用经费',
  three_public: '“三公”经费',
  other: '其他',
};
