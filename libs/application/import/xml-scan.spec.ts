import { decodeEntities, scanXml } from './xml-scan.js';

/** Every start tag of `names` with the attribute `attr`, and end tags, in order. */
function events(xml: string, names: string[], attr = 'r'): string[] {
  const out: string[] = [];
  scanXml(Buffer.from(xml, 'utf8'), new Set(names), {
    start: (name, a, empty) => out.push(`<${name} ${attr}=${a.get(attr) ?? '-'}${empty ? '/' : ''}>`),
    end: (name) => out.push(`</${name}>`),
  });
  return out;
}

describe('the XML scanner', () => {
  test('start and end tags of the names asked for, with attributes decoded', () => {
    const xml =
      '<?xml version="1.0"?><sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c><c r = \'B1\'/></row>' +
      '<row r="2"/><col min="1" max="2"/></sheetData>';
    expect(events(xml, ['row', 'c'])).toEqual(['<row r=1>', '<c r=A1>', '</c>', '<c r=B1/>', '</row>', '<row r=2/>']);
  });

  test('character references and predefined entities in attributes are decoded as a parser decodes them', () => {
    expect(events('<c r="&#88;&#x46;D1048576"/><c r="A&amp;1"/>', ['c'])).toEqual(['<c r=XFD1048576/>', '<c r=A&1/>']);
    expect(decodeEntities('&lt;a&gt; &quot;b&apos; &#20013;&unknown;')).toBe('<a> "b\' 中&unknown;');
  });

  test('comments, CDATA, processing instructions and declarations hide nothing and show nothing', () => {
    const xml =
      '<!DOCTYPE worksheet><!-- <c r="XFD1"/> --><![CDATA[<c r="XFD2"/>]]><?pi <c r="XFD3"/> ?><c r="A1"/>' +
      '<c r="B1" note="a > b / c"/><c r=\'C1\' q=\'"\'/>';
    expect(events(xml, ['c'])).toEqual(['<c r=A1/>', '<c r=B1/>', '<c r=C1/>']);
  });

  test('prefixed elements are other elements (exceljs matches names as written)', () => {
    expect(events('<x:row r="5"><x:c r="A5"/></x:row><rows r="1"/><cc r="1"/>', ['row', 'c'])).toEqual([]);
  });

  test('the text of an element runs to the next end tag of any element, as exceljs reads a defined name', () => {
    const texts: string[] = [];
    scanXml(
      Buffer.from(
        '<definedNames><definedName name="a">S!$A$1:$B$2<!-- x -->,&apos;T&apos;!$C$3</definedName>' +
          '<definedName name="b"/><definedName name="c">S!$A$1<i>inner</i>ignored</definedName></definedNames>',
      ),
      new Set(['definedName']),
      { start: () => undefined, text: (t) => texts.push(t) },
      'definedName',
    );
    expect(texts).toEqual(["S!$A$1:$B$2,'T'!$C$3", '', 'S!$A$1inner']);
  });

  test('a cut-off document is scanned as far as it goes', () => {
    expect(events('<row r="1"><c r="A1"/><c r="B1', ['row', 'c'])).toEqual(['<row r=1>', '<c r=A1/>']);
    expect(events('<row r="1"><!-- never closed <c r="A1"/>', ['row', 'c'])).toEqual(['<row r=1>']);
  });
});
