import { describe, expect, it } from 'vitest';
import { letterToHtml, markdownToText } from '../../src/publish/markdown-html.js';
import { markdownCell, markdownEscape } from '../../src/core/markdown-escape.js';

const NEXT = 'https://www.example.gov.uk/foi';
const opts = { allowedLinks: new Set([NEXT]) };
const HOSTILE = ['<script>alert(1)</script>', 'https://evil.example/', 'www.x.com', 'a@b.com', '=1+1', '&amp;'];

describe('letter Markdown to HTML: register and request values are text', () => {
  for (const value of HOSTILE) {
    it(`${value} in a paragraph and a table cell stays text, never markup or a link`, () => {
      const md = `Grant ${markdownEscape(value)} here.\n\n| Name | Amount |\n| --- | ---: |\n| ${markdownCell(value)} | £1 |\n`;
      const out = letterToHtml(md, opts);
      expect(out).not.toContain('<a ');
      expect(out).not.toContain('<script');
      const escaped = value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
      expect(out).toContain(`<p>Grant ${escaped} here.</p>`);
      expect(out).toContain(`<th scope="row">${escaped}</th>`);
    });
  }

  it('raw HTML in the Markdown is shown as text, block and inline', () => {
    const out = letterToHtml('<div onclick="x()">hi</div>\n\nSome <b>bold</b> text and <img src=x onerror=alert(1)>\n', opts);
    expect(out).toContain('&lt;div onclick=&quot;x()&quot;&gt;hi&lt;/div&gt;');
    expect(out).toContain('Some &lt;b&gt;bold&lt;/b&gt; text and &lt;img src=x onerror=alert(1)&gt;');
    expect(out).not.toMatch(/<(div|b|img)[ >]/);
  });

  it("links only to the body's configured addresses; other links and images show their text", () => {
    const md = `Next steps: <${NEXT}>\n\nSee [the evil site](https://evil.example/) and ![logo](https://evil.example/x.png) or <https://evil.example/auto>\n`;
    const out = letterToHtml(md, opts);
    expect(out).toContain(`<a href="${NEXT}">${NEXT}</a>`);
    expect(out.match(/<a /g)).toHaveLength(1);
    expect(out).toContain('See the evil site and logo or https://evil.example/auto');
  });

  it('tables: caption from the headings above, column and row headers, right-aligned money, total row in tfoot', () => {
    const md = [
      '## Question 1', '', '### 2017-18', '',
      '| Name of grant | Provider | Service | Grant amount |', '| --- | --- | --- | ---: |',
      '| MASIP | Suzy Lamplugh Trust | Advocacy | £209,052 (Home Office Grant) £130,996 (LBBD Match Fund) |',
      '| **Total** |  |  | **£340,048** |', '',
      '### 2018-19', '', '| Name | Amount |', '| --- | ---: |', '| MASIP | £2,087,431.81 |', '',
    ].join('\n');
    const out = letterToHtml(md, { ...opts, topHeading: 3 });
    expect(out).toContain('<h3>Question 1</h3>');
    expect(out).toContain('<h4>2017-18</h4>');
    expect(out).toContain('<caption id="table-1">Question 1, 2017-18</caption>');
    expect(out).toContain('<caption id="table-2">Question 1, 2018-19</caption>');
    expect(out).toContain('<div class="table-wrap" role="region" aria-labelledby="table-1" tabindex="0">');
    expect(out).toContain('<table class="wide">');
    expect(out).toContain('<th scope="col" class="num">Grant amount</th>');
    expect(out).toContain('<th scope="row">MASIP</th>');
    expect(out).toContain('<td class="num"><span class="line">£209,052 (Home Office Grant)</span> <span class="line">£130,996 (LBBD Match Fund)</span></td>');
    expect(out).toMatch(/<tfoot>\n<tr><th scope="row"><strong>Total<\/strong><\/th><td><\/td><td><\/td><td class="num"><strong>£340,048<\/strong><\/td><\/tr>\n<\/tfoot>/);
    expect(out).toContain('<td class="num">£2,087,431.81</td>');
  });

  it('shifts headings so the letter sits under the page heading, in order', () => {
    const out = letterToHtml('## A\n\ntext\n\n### B\n', { ...opts, topHeading: 3 });
    expect(out).toBe('<h3>A</h3>\n<p>text</p>\n<h4>B</h4>\n');
  });

  it('plain text for the search index and feeds: escapes resolved, no markup', () => {
    const md = `## Question 1\n\n> ${markdownEscape('Grants <with> | pipes')}\n\n| A | B |\n| --- | --- |\n| ${markdownCell('x | y')} | **2** |\n`;
    expect(markdownToText(md)).toBe('Question 1\nGrants <with> | pipes\nA | B\nx | y | 2');
  });
});
