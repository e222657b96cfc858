import { describe, expect, it } from 'vitest';
import { zipSync, strToU8 } from 'fflate';
import { findPersonalData, letterBody, personalData, redactMarkdown, redactText } from '../../src/publish/privacy.js';
import { markdownEscape } from '../../src/core/markdown-escape.js';

const requester = { name: 'Ms <b>Ann</b> Quirk', address: ['42 High Street', 'Rose Cottage', 'ann@quirk.example', 'London'] };

describe('personal data of the requester', () => {
  it('is the name and the address lines that identify; a one-word town is not redacted everywhere', () => {
    expect(personalData(requester).map((n) => n.text).sort()).toEqual(['42 High Street', 'Ms <b>Ann</b> Quirk', 'Rose Cottage', 'ann@quirk.example']);
  });

  it('is redacted in text and in Markdown-escaped letters, whole words only, whatever the case and spacing', () => {
    const needles = personalData(requester);
    expect(redactText('From MS <b>ANN</b>   Quirk of 42 High Street, London. Annual report.', needles))
      .toBe('From [name removed] of [address removed], London. Annual report.');
    const md = `Dear ${markdownEscape(requester.name)},\n\nWrite to ann@quirk.example or Rose Cottage.\n`;
    expect(redactMarkdown(md, needles)).toBe('Dear \\[name removed\\],\n\nWrite to \\[address removed\\] or \\[address removed\\].\n');
  });

  it('is found by the final scan in HTML, JSON, Markdown and inside a DOCX/XLSX zip', () => {
    const needles = personalData(requester);
    expect(findPersonalData('a.html', '<p>Ms &lt;b&gt;Ann&lt;/b&gt; Quirk</p>', needles)).toEqual(['Ms <b>Ann</b> Quirk']);
    expect(findPersonalData('a.json', JSON.stringify({ t: 'at 42  High Street' }), needles)).toEqual(['42 High Street']);
    const zip = zipSync({ 'xl/sharedStrings.xml': strToU8('<si><t>Rose Cottage</t></si>') });
    expect(findPersonalData('t.xlsx', zip, needles)).toEqual(['Rose Cottage']);
    expect(findPersonalData('t.csv', 'Annual,London\n', needles)).toEqual([]);
  });
});

describe('the published part of a letter', () => {
  it('starts after the greeting and stops before the sign-off', () => {
    const md = '## LETTERHEAD\n\nBody\\\nLondon\n\nMs A Person\\\n1 High St\n\nOur ref: FOI 1\n\n**Date:** 1 May 2021\n\nDear Ms A Person,\n\nThank you.\n\n## Question 1\n\nText.\n\nYours sincerely,\n\nA Officer\\\nTitle\n';
    expect(letterBody(md)).toBe('Thank you.\n\n## Question 1\n\nText.\n');
  });

  it("knows the body's own greeting", () => {
    expect(letterBody('**Date:** 1 May 2021\n\nIntro.\n\nGood morning \\*all\\*,\n\nThank you.\n', 'Good morning *all*')).toBe('Thank you.\n');
  });

  it('without a greeting, starts after the Date line', () => {
    expect(letterBody('## HEAD\n\nOur ref: X\n\n**Date:** 1 May 2021\n\nThank you.\n')).toBe('Thank you.\n');
  });
});
