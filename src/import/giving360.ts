/**
 * 360Giving grants (package JSON or flat CSV) -> typed GrantInput records, issues and
 * normalisation notes. The work lives in src/import/360/:
 *
 * - read.ts        files: detection, streaming JSON and CSV, read360Batches / read360File
 * - flat.ts        the flat (spreadsheet) form: column titles from the schema, unflattening,
 *                  and the seam other flat readers (XLSX) hand rows to (readFlat360)
 * - map-grant.ts   one record -> GrantInput (what foi cannot read is an error)
 * - schema.ts      the official 360Giving JSON schema with ajv: schema warnings in tiers
 * - fields.ts      field readers (text, dates, amounts, org ids); context.ts: what a record collects
 * - record-sink.ts duplicate ids and mixed currencies across a file; id-index.ts, unbatch.ts
 */
export { Flat360Csv, flatTitleFor, readFlat360, type FlatRow, type FlatSource } from './360/flat.js';
export { IdIndex } from './360/id-index.js';
export { grantFrom360Json, type MapOptions, type MapResult } from './360/map-grant.js';
export { detect360Kind, read360Batches, read360File, type Read360Options } from './360/read.js';
