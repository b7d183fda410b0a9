/**
 * A linear scanner of XML bytes (no DOM, no string of the whole part): start and end tags of the
 * elements asked for, their attributes decoded on demand, and the text of one element. Comments,
 * CDATA sections, processing instructions and declarations are skipped as an XML parser skips them,
 * so the scanner sees every element exceljs's SAX parser (saxes) sees.
 */

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const EQUALS = 0x3d;

const COMMENT_OPEN = Buffer.from('<!--');
const COMMENT_CLOSE = Buffer.from('-->');
const CDATA_OPEN = Buffer.from('<![CDATA[');
const CDATA_CLOSE = Buffer.from(']]>');
const PI_CLOSE = Buffer.from('?>');

function isSpace(c: number | undefined): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function startsWith(b: Buffer, at: number, s: Buffer): boolean {
  if (at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s[i]) return false;
  return true;
}

const ENTITY = /&(#x[0-9a-fA-F]+|#[0-9]+|lt|gt|amp|quot|apos);/g;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Character and predefined entity references decoded, as saxes decodes them. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(ENTITY, (m, e: string) => {
    if (e.startsWith('#')) {
      const code = e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : m;
    }
    return NAMED[e] ?? m;
  });
}

/** The attributes of one start tag, read when asked. */
export class Attributes {
  constructor(
    private readonly b: Buffer,
    private readonly from: number,
    private readonly to: number,
  ) {}

  /** The decoded value of attribute `name` (the last one when repeated), or undefined. */
  get(name: string): string | undefined {
    const { b, to } = this;
    let found: string | undefined;
    let p = this.from;
    while (p < to) {
      while (p < to && isSpace(b[p])) p++;
      const ns = p;
      while (p < to && !isSpace(b[p]) && b[p] !== EQUALS) p++;
      const ne = p;
      while (p < to && isSpace(b[p])) p++;
      if (p >= to || b[p] !== EQUALS) break;
      p++;
      while (p < to && isSpace(b[p])) p++;
      const quote = b[p];
      if (quote !== DQUOTE && quote !== SQUOTE) break;
      const vs = p + 1;
      let ve = vs;
      while (ve < to && b[ve] !== quote) ve++;
      if (ne - ns === name.length && b.toString('latin1', ns, ne) === name)
        found = decodeEntities(b.toString('utf8', vs, ve)).replace(/[\t\n\r]/g, ' ');
      p = ve + 1;
    }
    return found;
  }
}

export interface XmlHandlers {
  /** A start tag of one of the names asked for (`empty`: `<x/>`, no end tag follows). */
  start(name: string, attrs: Attributes, empty: boolean): void;
  /** An end tag of one of the names asked for (not called for `<x/>`). */
  end?(name: string): void;
  /**
   * The text of an element named `textOf`: what follows its start tag up to the next end tag of any
   * element (as exceljs reads a defined name), entity-decoded, without comments and CDATA.
   */
  text?(text: string): void;
  /** Counts every start tag, of any name, as the scan goes (read it from `start` and `end`). */
  counter?: { elements: number };
}

/**
 * Calls `h` for the elements named in `names`, in document order, and returns how many elements
 * (start tags of any name) the document has. Malformed XML is scanned as far as it goes (exceljs's
 * parser refuses it anyway); nothing is allocated per element not asked for.
 */
export function scanXml(b: Buffer, names: ReadonlySet<string>, h: XmlHandlers, textOf?: string): number {
  const n = b.length;
  const counter = h.counter ?? { elements: 0 };
  const first = counter.elements;
  let i = 0;
  let text: string[] | undefined;
  while (i < n) {
    const lt = b.indexOf(LT, i);
    if (text && lt !== i) text.push(decodeEntities(b.toString('utf8', i, lt < 0 ? n : lt)));
    if (lt < 0) break;
    const c = b[lt + 1];
    if (c === BANG) {
      let close: number;
      if (startsWith(b, lt, COMMENT_OPEN)) close = b.indexOf(COMMENT_CLOSE, lt + 4) + 3;
      else if (startsWith(b, lt, CDATA_OPEN)) close = b.indexOf(CDATA_CLOSE, lt + 9) + 3;
      else close = b.indexOf(GT, lt) + 1;
      if (close <= lt) break;
      i = close;
      continue;
    }
    if (c === QUESTION) {
      const close = b.indexOf(PI_CLOSE, lt + 2);
      if (close < 0) break;
      i = close + 2;
      continue;
    }
    const closing = c === SLASH;
    let p = closing ? lt + 2 : lt + 1;
    const ns = p;
    while (p < n && !isSpace(b[p]) && b[p] !== SLASH && b[p] !== GT) p++;
    const ne = p;
    let quote = 0;
    for (; p < n; p++) {
      const x = b[p];
      if (quote !== 0) {
        if (x === quote) quote = 0;
      } else if (x === DQUOTE || x === SQUOTE) quote = x;
      else if (x === GT) break;
    }
    if (p >= n) break;
    if (!closing) counter.elements++;
    const name = names.size > 0 && ne - ns <= 32 ? b.toString('latin1', ns, ne) : '';
    if (closing) {
      if (text) {
        h.text?.(text.join(''));
        text = undefined;
      }
      if (names.has(name)) h.end?.(name);
    } else if (names.has(name)) {
      const empty = b[p - 1] === SLASH;
      h.start(name, new Attributes(b, ne, empty ? p - 1 : p), empty);
      if (name === textOf) {
        if (empty) h.text?.('');
        else text = [];
      }
    }
    i = p + 1;
  }
  return counter.elements - first;
}
