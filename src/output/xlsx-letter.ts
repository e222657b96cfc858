/**
 * A response letter's tables as a workbook, `<ref>.xlsx`: one sheet per table ("Q1 2017-18"), its
 * numbered notes under it, then a "Notes" sheet saying which question each sheet answers, with the
 * letter's notes and the decisions the figures come from.
 *
 * A letter with no tables (not held, refused, nothing matched) gets no workbook: it has no data to
 * re-use, and an empty workbook sent to a requester only raises the question of what is missing.
 *
 * Several amounts in one cell (`£209,052 (Home Office Grant) £130,996 (LBBD Match Fund)`) become one
 * row per amount: a "Funding stream" column goes before the amount column, the row's other cells
 * repeat, and every amount is a number in one column. (One column per stream would be mostly empty:
 * each programme has its own match funder.) A total per kind of funding gives a total row for each.
 */
import type { LetterView, QuestionView, TableView } from '../letters/view-model.js';
import { sheetCellText, text, withSuffix, type CellPart, type PlainCell, type SheetCell, type SplitCell } from './table-cells.js';
import type { SheetColumn, SheetSpec, WorkbookSpec } from './xlsx.js';
import { SHEET_NAME_MAX, sheetNames } from './xlsx-sheet-names.js';

const STREAM_HEADER = 'Funding stream';

/**
 * The typed cell where it says what the letter says, else the letter's words as text: the
 * workbook never shows a figure the letter does not.
 */
function agreed(typed: SheetCell | undefined, letter: string): SheetCell {
  return typed && sheetCellText(typed) === letter ? typed : text(letter);
}

function isSplit(c: SheetCell | undefined): c is SplitCell {
  return c?.kind === 'split' && c.parts.length > 1;
}

/** One part as a cell: its words after it, and its label too unless a column holds the label. */
function partCell(p: CellPart, withLabel: boolean): PlainCell {
  return withSuffix(p.cell, (withLabel && p.label !== null ? ` (${p.label})` : '') + p.after);
}

/** A cell a sheet holds directly: a split that is not spread over rows keeps the letter's words. */
function plain(c: SheetCell, letter: string): PlainCell {
  if (c.kind !== 'split') return c;
  return c.parts.length === 1 ? withSuffix(partCell(c.parts[0], true), c.suffix) : text(letter);
}

/** A letter table as a sheet's columns, rows, total rows and notes. */
export function sheetTable(t: TableView): Pick<SheetSpec, 'columns' | 'rows' | 'totals' | 'notes'> {
  // `cells` may be absent in a view saved before it existed: then the letter's words throughout.
  const rows = t.rows.map((r, i) => r.map((v, j) => agreed(t.cells?.[i]?.[j], v)));
  const total = t.totalRow ? t.totalRow.map((v, j) => agreed(t.totalCells?.[j], v)) : null;
  const columns: SheetColumn[] = t.columns.map((c) => ({ header: c.header, align: c.align }));
  // The one column whose cells hold several amounts is spread over rows (never several: their
  // rows would multiply; such cells keep the letter's words).
  const splitCols = columns.map((_, j) => j).filter((j) => rows.some((r) => isSplit(r[j])) || isSplit(total?.[j]));
  const s = splitCols.length === 1 ? splitCols[0] : null;
  const streamColumn = s !== null && rows.some((r) => isSplit(r[s]));

  const spread = (cells: SheetCell[], letter: string[], isTotal: boolean): PlainCell[][] => {
    const flat = cells.map((c, j) => plain(c, letter[j]));
    const c = s === null ? undefined : cells[s];
    if (s === null || c?.kind !== 'split') {
      if (streamColumn) flat.splice(s!, 0, text(''));
      return [flat];
    }
    return c.parts.map((p) => {
      const row = [...flat];
      row[s] = partCell(p, !streamColumn);
      // What a total leaves out is said once per total row, beside "Total".
      if (isTotal && c.suffix && row[0].kind === 'text' && s !== 0) row[0] = text(row[0].text + c.suffix);
      else row[s] = withSuffix(row[s], c.suffix);
      if (streamColumn) row.splice(s, 0, text(p.label ?? ''));
      return row;
    });
  };
  const outRows = rows.flatMap((r, i) => spread(r, t.rows[i], false));
  const totals = total ? spread(total, t.totalRow!, true) : [];
  if (streamColumn) columns.splice(s!, 0, { header: STREAM_HEADER, align: 'left' });
  return { columns, rows: outRows, totals, notes: t.notes };
}

/** "Q1 2017-18": the table's year, or the question's only year; a caption when it fits; else "Q1 (2)". */
function wantedName(q: QuestionView, t: TableView, years: readonly string[]): string {
  const fy = t.financialYear ?? (years.length === 1 ? years[0] : null);
  const base = `Q${q.number}${fy ? ` ${fy}` : ''}`;
  const named = t.caption ? `${base} ${t.caption}` : base;
  return named.length <= SHEET_NAME_MAX ? named : base;
}

/**
 * The workbook for a letter, or null when the letter has no tables. `yearsAsked` gives each
 * question's financial years (the answer record's criteria), to name single-year tables.
 */
export function letterWorkbook(view: LetterView, yearsAsked: ReadonlyMap<number, readonly string[]> = new Map()): WorkbookSpec | null {
  const tables = view.questions.flatMap((q) => q.tables.filter((t) => t.rows.length).map((t) => ({ q, t, wanted: wantedName(q, t, yearsAsked.get(q.number) ?? []) })));
  if (!tables.length) return null;
  // Two tables of one question in one year: "Q1 2017-18 (1)", "Q1 2017-18 (2)".
  const count = new Map<string, number>();
  for (const x of tables) count.set(x.wanted, (count.get(x.wanted) ?? 0) + 1);
  const seen = new Map<string, number>();
  const wanted = tables.map((x) => {
    if ((count.get(x.wanted) ?? 0) < 2) return x.wanted;
    const k = (seen.get(x.wanted) ?? 0) + 1;
    seen.set(x.wanted, k);
    return `${x.wanted} (${k})`;
  });
  const names = sheetNames([...wanted, 'Notes']);
  const sheets: SheetSpec[] = tables.map((x, i) => ({ name: names[i], ...sheetTable(x.t) }));
  // Which question each sheet answers, with the letter's notes and sources (columns only when any).
  const about = [
    { header: 'Sheet', value: (_: QuestionView, _t: TableView, i: number) => names[i] },
    { header: 'Table', value: (_: QuestionView, t: TableView) => t.caption ?? '' },
    { header: 'Question', value: (q: QuestionView) => q.wording.trim() },
    { header: 'Notes', value: (q: QuestionView) => q.notes.join('\n') },
    { header: 'Sources', value: (q: QuestionView) => q.sources.join(', ') },
  ].filter((c) => tables.some((x, i) => c.value(x.q, x.t, i) !== ''));
  sheets.push({
    name: names[names.length - 1],
    columns: about.map((c) => ({ header: c.header, align: 'left' })),
    rows: tables.map((x, i) => about.map((c) => text(c.value(x.q, x.t, i)))),
    totals: [],
    notes: [`${view.body.name}: response to Freedom of Information request ${view.ref}, ${view.responseDate}.`],
  });
  return {
    sheets, creator: view.body.name, title: `Freedom of Information request ${view.ref}`,
    footer: `${view.body.shortName} ${view.ref}`, date: view.responseDateIso,
  };
}
