import { escapeHtml, html, moneyText, pctText } from './dashboard.html.js';

describe('dashboard HTML helpers', () => {
  test('interpolations are escaped; fragments built with html are kept', () => {
    const name = '<img src=x onerror="alert(1)">\'&`';
    const inner = html`<b>${name}</b>`;
    expect(html`<td title="${name}">${inner}${[html`<i>${'<'}</i>`, '>']}</td>`.value).toBe(
      '<td title="&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#39;&#38;&#96;"><b>&#60;img src=x onerror=&#34;alert(1)&#34;&#62;&#39;&#38;&#96;</b><i>&#60;</i>&#62;</td>',
    );
    expect(html`${null}${undefined}${false}${0}`.value).toBe('0');
    expect(escapeHtml('a&b')).toBe('a&#38;b');
  });

  test('amounts with thousands separators, rates with %', () => {
    expect(moneyText('1646484.90')).toBe('1,646,484.90');
    expect(moneyText('-82324.24')).toBe('-82,324.24');
    expect(moneyText('999.00')).toBe('999.00');
    expect(moneyText(null)).toBe('—');
    expect(pctText('94.51')).toBe('94.51%');
    expect(pctText(null)).toBe('—');
  });
});
