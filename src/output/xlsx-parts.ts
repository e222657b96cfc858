/**
 * The parts of a workbook package (SpreadsheetML), written by hand from sheet layouts (xlsx.ts).
 *
 * The markup is exactly what exceljs's streaming writer (`useStyles`, `useSharedStrings`) writes
 * for the same workbook, byte for byte: the tests write every layout both ways and compare
 * (tests/output/xlsx-writer.test.ts), so a reader sees the file it always saw. Only what foi
 * writes is supported: one theme, two fonts (the default and bold Calibri 11), cell styles made of
 * a number format, bold, right alignment with an indent, and wrapping; shared strings; a frozen
 * header row, an autofilter, A4 landscape fitted to the page width, and an optional footer.
 */
// @ts-expect-error -- exceljs ships no types for this path; it is one string (bundled, not loaded at run time)
import theme1 from 'exceljs/lib/xlsx/xml/theme1.js';
import type { CellStyle, SheetLayout, WorkbookSpec } from './xlsx.js';

const THEME = theme1 as string;

const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

// eslint-disable-next-line no-control-regex
const NEEDS_ENCODING = /[<>&'"\x7F\x00-\x08\x0B-\x0C\x0E-\x1F]/;

/**
 * Text and attribute values as exceljs encodes them: the five XML entities escaped, and the
 * control characters XML 1.0 cannot hold (all but tab, line feed and carriage return) and DEL
 * dropped.
 */
export function xmlEncode(text: string): string {
  if (!NEEDS_ENCODING.test(text)) return text;
  let out = '';
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let rep: string;
    if (c === 34) rep = '&quot;';
    else if (c === 38) rep = '&amp;';
    else if (c === 39) rep = '&apos;';
    else if (c === 60) rep = '&lt;';
    else if (c === 62) rep = '&gt;';
    else if (c === 127 || (c <= 31 && c !== 9 && c !== 10 && c !== 13)) rep = '';
    else continue;
    out += text.substring(last, i) + rep;
    last = i + 1;
  }
  return out + text.substring(last);
}

/** Excel's built-in number formats, by code (a format that is one of these is not declared). */
const BUILT_IN_FORMATS: Record<string, number> = {
  General: 0, '0': 1, '0.00': 2, '#,##0': 3, '#,##0.00': 4, '0%': 9, '0.00%': 10, '0.00E+00': 11, '# ?/?': 12, '# ??/??': 13,
  'mm-dd-yy': 14, 'd-mmm-yy': 15, 'd-mmm': 16, 'mmm-yy': 17, 'h:mm AM/PM': 18, 'h:mm:ss AM/PM': 19, 'h:mm': 20, 'h:mm:ss': 21,
  'm/d/yy "h":mm': 22, '#,##0 ;(#,##0)': 37, '#,##0 ;[Red](#,##0)': 38, '#,##0.00 ;(#,##0.00)': 39, '#,##0.00 ;[Red](#,##0.00)': 40,
  'mm:ss': 45, '[h]:mm:ss': 46, 'mmss.0': 47, '##0.0E+0': 48, '@': 49,
};

const DEFAULT_FONT = '<font><color theme="1"/><family val="2"/><scheme val="minor"/><sz val="11"/><name val="Calibri"/></font>';
const BOLD_FONT = '<font><b/><family val="2"/><sz val="11"/><name val="Calibri"/></font>';

/** Cell styles (`cellXfs`), number formats and fonts, numbered in order of first use. */
class Styles {
  private readonly xfs: string[] = ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'];
  private readonly xfIndex = new Map<string, number>([[this.xfs[0], 0]]);
  private readonly formats: string[] = [];
  private readonly formatIds = new Map<string, number>();
  /** Whether the bold font has been used (it is font 1; the default font is font 0). */
  private bold = false;
  /** Per (format, style) key, the style index: most cells repeat a few styles. */
  private readonly memo = new Map<string, number>();

  private formatId(code: string): number {
    const builtIn = Object.hasOwn(BUILT_IN_FORMATS, code) ? BUILT_IN_FORMATS[code] : undefined;
    if (builtIn !== undefined) return builtIn;
    let id = this.formatIds.get(code);
    if (id === undefined) {
      id = 164 + this.formats.length;
      this.formatIds.set(code, id);
      this.formats.push(`<numFmt numFmtId="${id}" formatCode="${xmlEncode(code)}"/>`);
    }
    return id;
  }

  /** The `s` index of a cell with this style and number format (null: none). */
  index(style: CellStyle | null, format: string | null): number {
    if (!style) return 0; // unstyled text (notes): the default style
    const key = `${style.bold ? 1 : 0}${style.right ? 1 : 0}${style.wrap ? 1 : 0}${format ?? ''}`;
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const numFmt = format === null ? 0 : this.formatId(format);
    if (style.bold) this.bold = true;
    const fontId = style.bold ? 1 : 0;
    const align = `<alignment${style.right ? ' horizontal="right"' : ''} vertical="top"${style.wrap ? ' wrapText="1"' : ''}${style.right ? ' indent="1"' : ''}/>`;
    const xf = `<xf numFmtId="${numFmt}" fontId="${fontId}" fillId="0" borderId="0" xfId="0"${numFmt ? ' applyNumberFormat="1"' : ''}${fontId ? ' applyFont="1"' : ''} applyAlignment="1">${align}</xf>`;
    let i = this.xfIndex.get(xf);
    if (i === undefined) {
      i = this.xfs.length;
      this.xfs.push(xf);
      this.xfIndex.set(xf, i);
    }
    this.memo.set(key, i);
    return i;
  }

  xml(): string {
    const fonts = this.bold ? [DEFAULT_FONT, BOLD_FONT] : [DEFAULT_FONT];
    return `${XML_DECL}<styleSheet xmlns="${MAIN_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac x16r2" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main">`
      + (this.formats.length ? `<numFmts count="${this.formats.length}">${this.formats.join('')}</numFmts>` : '')
      + `<fonts count="${fonts.length}" x14ac:knownFonts="1">${fonts.join('')}</fonts>`
      + '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
      + '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
      + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
      + `<cellXfs count="${this.xfs.length}">${this.xfs.join('')}</cellXfs>`
      + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
      + '<tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/>'
      + '<extLst><ext uri="{EB79DEF2-80B8-43e5-95BD-54CBDDF9020C}" xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:slicerStyles defaultSlicerStyle="SlicerStyleLight1"/></ext>'
      + '<ext uri="{9260A510-F301-46a8-8635-F512D64BE5F5}" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main"><x15:timelineStyles defaultTimelineStyle="TimeSlicerStyleLight1"/></ext></extLst></styleSheet>';
  }
}

/** Text cells' strings, each stored once, numbered in order of first use. */
class SharedStrings {
  readonly list: string[] = [];
  private readonly index = new Map<string, number>();

  add(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.list.length;
      this.list.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  xml(): string {
    const out: string[] = [`${XML_DECL}<sst xmlns="${MAIN_NS}" count="${this.list.length}" uniqueCount="${this.list.length}">`];
    for (const s of this.list) out.push(/^\s|\n|\s$/.test(s) ? `<si><t xml:space="preserve">${xmlEncode(s)}</t></si>` : `<si><t>${xmlEncode(s)}</t></si>`);
    out.push('</sst>');
    return out.join('');
  }
}

/** A, B, … Z, AA, AB, … */
const COLUMN_LETTERS: string[] = [];
function columnLetter(i: number): string {
  let s = COLUMN_LETTERS[i];
  if (s === undefined) {
    s = '';
    for (let x = i + 1; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
    COLUMN_LETTERS[i] = s;
  }
  return s;
}

const SHEET_START = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
  + ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
  + ' mc:Ignorable="x14ac" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac">'
  + '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
  + '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
  + '<sheetFormatPr defaultRowHeight="15" outlineLevelRow="0" outlineLevelCol="0" x14ac:dyDescent="55"/>';
const SHEET_PAGE = '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
  + '<pageSetup paperSize="9" orientation="landscape" horizontalDpi="4294967295" verticalDpi="4294967295" scale="100" fitToWidth="1" fitToHeight="0"/>';

/** Excel's default column width: a column of this width is not declared. */
const DEFAULT_WIDTH = 9;

/** `<cols>`: adjacent columns of one width share an entry. */
function colsXml(widths: readonly number[]): string {
  let out = '';
  for (let i = 0; i < widths.length;) {
    let j = i;
    while (j + 1 < widths.length && widths[j + 1] === widths[i]) j++;
    if (widths[i] !== DEFAULT_WIDTH) out += `<col min="${i + 1}" max="${j + 1}" width="${widths[i]}" customWidth="1"/>`;
    i = j + 1;
  }
  return out ? `<cols>${out}</cols>` : '';
}

function sheetXml(sheet: SheetLayout, styles: Styles, strings: SharedStrings): string {
  const out: string[] = [SHEET_START];
  let started = false;
  for (const row of sheet.rows) {
    // A row with no value and no height is not written (its number stays used).
    if (!row.height && !row.cells.some((c) => c.value.kind !== 'empty')) continue;
    if (!started) {
      out.push(colsXml(sheet.widths), '<sheetData>');
      started = true;
    }
    const r = row.number;
    let xml = `<row r="${r}"${row.height ? ` ht="${row.height}" customHeight="1"` : ''}${row.cells.length ? ` spans="1:${row.cells.length}"` : ''} x14ac:dyDescent="0.25">`;
    for (let i = 0; i < row.cells.length; i++) {
      const { value, style } = row.cells[i];
      const ref = `${columnLetter(i)}${r}`;
      const s = styles.index(style, value.kind === 'number' ? value.format : null);
      const sAttr = s ? ` s="${s}"` : '';
      if (value.kind === 'string') xml += `<c r="${ref}"${sAttr} t="s"><v>${strings.add(value.text)}</v></c>`;
      else if (value.kind === 'number') xml += `<c r="${ref}"${sAttr}><v>${xmlEncode(String(value.value))}</v></c>`;
      else if (s) xml += `<c r="${ref}"${sAttr}/>`;
    }
    out.push(xml, '</row>');
  }
  if (!started) out.push('<sheetData>');
  out.push('</sheetData>', `<autoFilter ref="${sheet.filter}"/>`, SHEET_PAGE);
  if (sheet.footer) out.push(`<headerFooter><oddFooter>${xmlEncode(`&L${sheet.footer.replace(/&/g, '&&')}&RPage &P of &N`)}</oddFooter></headerFooter>`);
  out.push('</worksheet>');
  return out.join('');
}

function relsXml(rels: readonly [type: string, target: string][]): string {
  return `${XML_DECL}<Relationships xmlns="${PKG_REL_NS}">${rels.map(([type, target], i) => `<Relationship Id="rId${i + 1}" Type="${type}" Target="${target}"/>`).join('')}</Relationships>`;
}

const OFFICE_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const CT = 'application/vnd.openxmlformats-officedocument';

const PACKAGE_RELS = relsXml([
  [`${OFFICE_REL}/officeDocument`, 'xl/workbook.xml'],
  ['http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties', 'docProps/core.xml'],
  [`${OFFICE_REL}/extended-properties`, 'docProps/app.xml'],
]);

function contentTypesXml(sheets: number, strings: boolean): string {
  let xml = `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">`
    + '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    + `<Override PartName="/xl/workbook.xml" ContentType="${CT}.spreadsheetml.sheet.main+xml"/>`;
  for (let i = 1; i <= sheets; i++) xml += `<Override PartName="/xl/worksheets/sheet${i}.xml" ContentType="${CT}.spreadsheetml.worksheet+xml"/>`;
  xml += `<Override PartName="/xl/theme/theme1.xml" ContentType="${CT}.theme+xml"/><Override PartName="/xl/styles.xml" ContentType="${CT}.spreadsheetml.styles+xml"/>`;
  if (strings) xml += `<Override PartName="/xl/sharedStrings.xml" ContentType="${CT}.spreadsheetml.sharedStrings+xml"/>`;
  return xml + `<Default Extension="vml" ContentType="${CT}.vmlDrawing"/>`
    + `<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="${CT}.extended-properties+xml"/></Types>`;
}

function appXml(names: readonly string[]): string {
  return `${XML_DECL}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">`
    + '<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>'
    + `<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>${names.length}</vt:i4></vt:variant></vt:vector></HeadingPairs>`
    + `<TitlesOfParts><vt:vector size="${names.length}" baseType="lpstr">${names.map((n) => `<vt:lpstr>${xmlEncode(n)}</vt:lpstr>`).join('')}</vt:vector></TitlesOfParts>`
    + '<Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>16.0300</AppVersion></Properties>';
}

function coreXml(spec: WorkbookSpec): string {
  const [y, m, d] = spec.date.split('-').map(Number);
  const when = new Date(Date.UTC(y, m - 1, d)).toISOString().replace(/[.]\d{3}/, '');
  const date = (tag: string) => `<dcterms:${tag} xsi:type="dcterms:W3CDTF">${when}</dcterms:${tag}>`;
  return `${XML_DECL}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`
    + `<dc:creator>${xmlEncode(spec.creator)}</dc:creator><dc:title>${xmlEncode(spec.title)}</dc:title><cp:lastModifiedBy>${xmlEncode(spec.creator)}</cp:lastModifiedBy>`
    + `${date('created')}${date('modified')}</cp:coreProperties>`;
}

function workbookXml(names: readonly string[], firstSheetRel: number): string {
  return `${XML_DECL}<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main">`
    + '<fileVersion appName="xl" lastEdited="5" lowestEdited="5" rupBuild="9303"/><workbookPr defaultThemeVersion="164011" filterPrivacy="1"/>'
    + `<sheets>${names.map((n, i) => `<sheet sheetId="${i + 1}" name="${xmlEncode(n)}" state="visible" r:id="rId${firstSheetRel + i}"/>`).join('')}</sheets>`
    + '<calcPr calcId="171027"/></workbook>';
}

const utf8 = new TextEncoder();

/** Every part of the workbook package, by name, as UTF-8. */
export function workbookParts(sheets: readonly SheetLayout[], spec: WorkbookSpec): Map<string, Uint8Array> {
  const styles = new Styles();
  const strings = new SharedStrings();
  // Sheets first: they number the styles and shared strings.
  const sheetParts = sheets.map((s) => sheetXml(s, styles, strings));
  const hasStrings = strings.list.length > 0;
  const names = sheets.map((s) => s.name);
  const wbRels: [string, string][] = [[`${OFFICE_REL}/styles`, 'styles.xml'], [`${OFFICE_REL}/theme`, 'theme/theme1.xml']];
  if (hasStrings) wbRels.push([`${OFFICE_REL}/sharedStrings`, 'sharedStrings.xml']);
  const firstSheetRel = wbRels.length + 1;
  sheets.forEach((_, i) => wbRels.push([`${OFFICE_REL}/worksheet`, `worksheets/sheet${i + 1}.xml`]));
  const parts = new Map<string, Uint8Array>();
  const put = (name: string, xml: string) => parts.set(name, utf8.encode(xml));
  put('xl/theme/theme1.xml', THEME);
  put('_rels/.rels', PACKAGE_RELS);
  sheetParts.forEach((xml, i) => put(`xl/worksheets/sheet${i + 1}.xml`, xml));
  put('[Content_Types].xml', contentTypesXml(sheets.length, hasStrings));
  put('docProps/app.xml', appXml(names));
  put('docProps/core.xml', coreXml(spec));
  if (hasStrings) put('xl/sharedStrings.xml', strings.xml());
  put('xl/styles.xml', styles.xml());
  put('xl/_rels/workbook.xml.rels', relsXml(wbRels));
  put('xl/workbook.xml', workbookXml(names, firstSheetRel));
  return parts;
}
