/**
 * docProps/core.xml and the zip stamp, from the letter's date: never the clock or the time zone.
 */
import type { ZipStamp } from '../deterministic-zip.js';
import { xmlEscape } from './text.js';

export interface FixedDate {
  iso: string; // YYYY-MM-DDTHH:MM:SSZ
  stamp: ZipStamp;
}

export function fixedDate(input: string | null | undefined): FixedDate {
  const s = (input ?? '').trim() || '2000-01-01';
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  let iso: string;
  if (m) {
    iso = `${s}T00:00:00Z`;
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) {
    // An explicit offset makes parsing independent of the process time zone.
    const t = Date.parse(s);
    if (Number.isNaN(t)) throw new RangeError(`documentDate is not a valid ISO date: ${s}`);
    iso = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
    m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  } else {
    throw new RangeError(`documentDate must be YYYY-MM-DD or an ISO date-time with a zone: ${s}`);
  }
  const year = Number(m![1]);
  const month = Number(m![2]);
  const day = Number(m![3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) throw new RangeError(`documentDate out of range: ${s}`);
  return { iso, stamp: { year, month, day } };
}

export function coreXml(opts: { title: string; creator: string; iso: string }): string {
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ' +
    'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
    'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    (opts.title ? `<dc:title>${xmlEscape(opts.title)}</dc:title>` : '') +
    `<dc:creator>${xmlEscape(opts.creator)}</dc:creator>` +
    `<cp:lastModifiedBy>${xmlEscape(opts.creator)}</cp:lastModifiedBy>` +
    '<cp:revision>1</cp:revision>' +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${opts.iso}</dcterms:created>` +
    `<dcterms:modified xsi:type="dcterms:W3CDTF">${opts.iso}</dcterms:modified>` +
    '</cp:coreProperties>'
  );
}
