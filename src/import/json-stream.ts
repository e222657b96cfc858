/**
 * Streams the elements of one array inside a top-level JSON object (`{"grants": [ ... ]}`)
 * without loading the file whole. Buffer chunks are scanned byte by byte tracking string,
 * escape and nesting state; JSON's structural characters are ASCII and never occur inside a
 * UTF-8 multibyte sequence, so byte scanning is safe. Each element's bytes are sliced out and
 * handed to JSON.parse. Other top-level keys are skipped (their values are scanned, not kept).
 */
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { DataError } from '../core/errors.js';

export interface JsonStreamOptions {
  /** Bytes per read (default 256 KiB). Tests force tiny chunks to exercise boundaries. */
  chunkSize?: number;
}

/** The file is not a JSON object holding the wanted array, or is not valid JSON. */
export class JsonStreamError extends DataError {
  readonly file: string;
  /** Byte offset (0-based) where the problem was found, when known. */
  readonly offset: number | null;
  /** Index of the array element being read, when the problem is inside one. */
  readonly index: number | null;
  readonly problem: string;
  constructor(file: string, problem: string, offset: number | null, index: number | null) {
    super(`${file}: ${problem}`);
    this.file = file;
    this.problem = problem;
    this.offset = offset;
    this.index = index;
  }
}

/**
 * Bytes per read. 256 KiB measured fastest here: bigger chunks make bigger strings that fall
 * out of the CPU cache; smaller ones cost more system calls.
 */
const DEFAULT_CHUNK = 256 * 1024;

// Phases of the top-level scan.
const START = 0; // before the top-level '{'
const KEY_OR_END = 1; // after '{': a key or '}'
const KEY = 2; // after ',': a key
const IN_KEY = 3; // inside a key string
const COLON = 4; // after a key
const VALUE = 5; // after ':'
const SKIP = 6; // inside a value we do not want
const AFTER_VALUE = 7; // after a top-level value: ',' or '}'
const ARRAY_FIRST = 8; // after '[' of the wanted array: an element or ']'
const ARRAY_NEXT = 9; // after ',' in the wanted array: an element
const ELEMENT = 10; // inside an element
const AFTER_ELEMENT = 11; // after an element: ',' or ']'
const END = 12; // after the top-level '}'

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COMMA = 0x2c;
const COLON_CH = 0x3a;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function show(c: number): string {
  return c >= 0x20 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16).padStart(2, '0')}`;
}

/**
 * Incremental scanner: feed it Buffer chunks in order; it returns the elements completed in
 * each. Kept synchronous (and out of the generator) so the byte loop stays fast.
 */
export class JsonArrayScanner {
  private phase = START;
  private base = 0; // absolute offset of the current chunk's first byte
  // Value scanning state (SKIP and ELEMENT).
  private inStr = false;
  private esc = false;
  private readonly stack: number[] = []; // open brackets inside the value
  private scalar = false; // value is a number/true/false/null (ends at a delimiter)
  private valueStart = 0; // absolute offset where the value began
  // Key collection.
  private keyParts: Buffer[] = [];
  private keyHasEscape = false;
  private currentKey = '';
  private readonly keysSeen: string[] = [];
  private found = false;
  // Element collection.
  private parts: Buffer[] = [];
  private index = 0;

  constructor(
    private readonly file: string,
    private readonly key = 'grants',
  ) {}

  private fail(problem: string, offset: number | null, index: number | null = null): never {
    throw new JsonStreamError(this.file, problem, offset, index);
  }

  private parseElement(text: string, start: number): unknown {
    try {
      return JSON.parse(text);
    } catch (e) {
      return this.fail(`${this.key}[${this.index}] (starting at byte ${start}) is not valid JSON: ${(e as Error).message}`, start, this.index);
    }
  }

  /**
   * Scan the next chunk; appends the elements it completed to `out` (in order) and returns it.
   * When it throws, `out` still holds the elements completed before the problem.
   */
  push(chunk: Buffer, out: { index: number; value: unknown }[] = []): { index: number; value: unknown }[] {
    const key = this.key;
    const stack = this.stack;
    const base = this.base;
    let phase = this.phase;
    let inStr = this.inStr;
    let esc = this.esc;
    const n = chunk.length;
    let i = 0;
    // Start of the current element/key within this chunk (0 when it began in an earlier chunk).
    let segStart = 0;
    const fail = (problem: string, offset: number | null, index: number | null = null): never => this.fail(problem, offset, index);
    while (i < n) {
      switch (phase) {
        case START: {
          const c = chunk[i];
          // UTF-8 byte order mark at the very start.
          if (base + i < 3 && c === [0xef, 0xbb, 0xbf][base + i]) {
            i++;
            break;
          }
          if (isWs(c)) {
            i++;
            break;
          }
          if (c !== LBRACE) {
            fail(`the top level is not a JSON object (found ${show(c)} at byte ${base + i}); a 360Giving file is {"${key}": [ ... ]}`, base + i);
          }
          phase = KEY_OR_END;
          i++;
          break;
        }
        case KEY_OR_END:
        case KEY: {
          const c = chunk[i];
          if (isWs(c)) {
            i++;
            break;
          }
          if (c === RBRACE && phase === KEY_OR_END) {
            phase = END;
            i++;
            break;
          }
          if (c !== QUOTE) fail(`expected a key in the top-level object but found ${show(c)} at byte ${base + i}`, base + i);
          phase = IN_KEY;
          this.keyParts = [];
          this.keyHasEscape = false;
          esc = false;
          i++;
          segStart = i;
          break;
        }
        case IN_KEY: {
          let j = i;
          for (; j < n; j++) {
            const c = chunk[j];
            if (esc) esc = false;
            else if (c === BACKSLASH) {
              esc = true;
              this.keyHasEscape = true;
            } else if (c === QUOTE) break;
          }
          if (j === n) {
            this.keyParts.push(chunk.subarray(segStart, n));
            i = n;
            break;
          }
          this.keyParts.push(chunk.subarray(segStart, j));
          const raw = Buffer.concat(this.keyParts).toString('utf8');
          try {
            this.currentKey = this.keyHasEscape ? (JSON.parse(`"${raw}"`) as string) : raw;
          } catch {
            fail(`invalid key string ending at byte ${base + j}`, base + j);
          }
          this.keysSeen.push(this.currentKey);
          phase = COLON;
          i = j + 1;
          break;
        }
        case COLON: {
          const c = chunk[i];
          if (isWs(c)) {
            i++;
            break;
          }
          if (c !== COLON_CH) fail(`expected ':' after key "${this.currentKey}" but found ${show(c)} at byte ${base + i}`, base + i);
          phase = VALUE;
          i++;
          break;
        }
        case VALUE: {
          const c = chunk[i];
          if (isWs(c)) {
            i++;
            break;
          }
          if (this.currentKey === key) {
            if (this.found) fail(`the top-level object has "${key}" twice (second at byte ${base + i})`, base + i);
            this.found = true;
            if (c !== LBRACKET) fail(`"${key}" is not an array (found ${show(c)} at byte ${base + i})`, base + i);
            phase = ARRAY_FIRST;
            i++;
            break;
          }
          // Skip this value.
          phase = SKIP;
          this.valueStart = base + i;
          inStr = false;
          esc = false;
          stack.length = 0;
          this.scalar = c !== LBRACE && c !== LBRACKET && c !== QUOTE;
          if (c === RBRACE || c === RBRACKET || c === COMMA) fail(`missing value for key "${this.currentKey}" at byte ${base + i}`, base + i);
          // Leave i on the first byte: the scan below handles it.
          break;
        }
        case ARRAY_FIRST:
        case ARRAY_NEXT: {
          const c = chunk[i];
          if (isWs(c)) {
            i++;
            break;
          }
          if (c === RBRACKET) {
            if (phase === ARRAY_NEXT) fail(`trailing comma before ']' at byte ${base + i} in "${key}"`, base + i, this.index);
            phase = AFTER_VALUE;
            i++;
            break;
          }
          if (c === COMMA || c === RBRACE || c === COLON_CH) fail(`expected ${key}[${this.index}] but found ${show(c)} at byte ${base + i}`, base + i, this.index);
          phase = ELEMENT;
          this.valueStart = base + i;
          inStr = false;
          esc = false;
          stack.length = 0;
          this.scalar = c !== LBRACE && c !== LBRACKET && c !== QUOTE;
          this.parts = [];
          segStart = i;
          break;
        }
        case SKIP:
        case ELEMENT: {
          // Find the end of the value starting at valueStart.
          let j = i;
          let end = -1; // index in chunk just after the value
          if (this.scalar) {
            for (; j < n; j++) {
              const c = chunk[j];
              if (c === COMMA || c === RBRACE || c === RBRACKET || isWs(c)) {
                end = j;
                break;
              }
              if (c === QUOTE || c === LBRACE || c === LBRACKET || c === COLON_CH) {
                fail(`invalid JSON value at byte ${base + j}${phase === ELEMENT ? ` in ${key}[${this.index}]` : ''}`, base + j, phase === ELEMENT ? this.index : null);
              }
            }
          } else {
            for (; j < n; j++) {
              if (inStr) {
                // Jump to the next quote with a native search; it ends the string unless an odd
                // run of backslashes precedes it.
                if (esc) {
                  esc = false;
                  continue; // this byte is escaped
                }
                const q = chunk.indexOf(QUOTE, j);
                if (q === -1) {
                  let k = n - 1;
                  while (k >= j && chunk[k] === BACKSLASH) k--;
                  esc = (n - 1 - k) % 2 === 1;
                  j = n;
                  break;
                }
                let k = q - 1;
                while (k >= j && chunk[k] === BACKSLASH) k--;
                j = q;
                if ((q - 1 - k) % 2 === 1) continue; // an escaped quote
                inStr = false;
                if (stack.length === 0) {
                  end = q + 1;
                  break;
                }
                continue;
              }
              const c = chunk[j];
              if (c === QUOTE) inStr = true;
              else if (c === LBRACE || c === LBRACKET) stack.push(c);
              else if (c === RBRACE || c === RBRACKET) {
                const open = stack.pop();
                if (open === undefined || (c === RBRACE) !== (open === LBRACE)) {
                  fail(`mismatched ${show(c)} at byte ${base + j}${phase === ELEMENT ? ` in ${key}[${this.index}]` : ''}`, base + j, phase === ELEMENT ? this.index : null);
                }
                if (stack.length === 0) {
                  end = j + 1;
                  break;
                }
              }
            }
          }
          if (end === -1) {
            if (phase === ELEMENT) this.parts.push(chunk.subarray(segStart, n));
            i = n;
            break;
          }
          if (phase === ELEMENT) {
            let value: unknown;
            if (this.parts.length === 0) {
              value = this.parseElement(chunk.toString('utf8', segStart, end), this.valueStart);
            } else {
              this.parts.push(chunk.subarray(segStart, end));
              value = this.parseElement(Buffer.concat(this.parts).toString('utf8'), this.valueStart);
              this.parts = [];
            }
            phase = AFTER_ELEMENT;
            i = end;
            out.push({ index: this.index, value });
            this.index++;
          } else {
            phase = AFTER_VALUE;
            i = end;
          }
          break;
        }
        case AFTER_ELEMENT: {
          const c = chunk[i];
          if (isWs(c)) {
            i++;
            break;
          }
          if (c === COMMA) phase = ARRAY_NEXT;
          else if (c === RBRACKET) phase = AFTER_VALUE;
          else fail(`expected ',' or ']' after ${key}[${this.index - 1}] but found ${show(c)} at byte ${base + i}`, base + i, this.index - 1);
          i++;
          break;
        }
        case AFTER_VALUE: {
          const c = chunk[i];
          if (isWs(c)) {
            i++;
            break;
          }
          if (c === COMMA) phase = KEY;
          else if (c === RBRACE) phase = END;
          else fail(`expected ',' or '}' in the top-level object but found ${show(c)} at byte ${base + i}`, base + i);
          i++;
          break;
        }
        case END: {
          const c = chunk[i];
          if (!isWs(c)) fail(`unexpected ${show(c)} at byte ${base + i} after the end of the top-level object`, base + i);
          i++;
          break;
        }
      }
    }
    this.phase = phase;
    this.inStr = inStr;
    this.esc = esc;
    this.base = base + n;
    return out;
  }

  /** Call at the end of the input: throws if the JSON is incomplete or the array was not found. */
  end(): void {
    const { phase, base, key, index } = this;
    if (phase === START) this.fail(base === 0 ? 'the file is empty; expected a JSON object' : 'the file holds no JSON object', base);
    if (phase !== END) {
      const inArray = phase === ELEMENT || phase === ARRAY_FIRST || phase === ARRAY_NEXT || phase === AFTER_ELEMENT;
      const at = phase === AFTER_ELEMENT ? index - 1 : index;
      const where = inArray ? ` inside "${key}" (while reading ${key}[${at}])` : '';
      this.fail(`the JSON ends unexpectedly at byte ${base}${where}; the file looks truncated`, base, inArray ? at : null);
    }
    if (!this.found) {
      const seen = this.keysSeen.length ? `; the keys found were: ${this.keysSeen.slice(0, 10).map((k) => JSON.stringify(k)).join(', ')}` : '';
      this.fail(`no "${key}" array in the top-level object${seen}`, null);
    }
  }
}

/**
 * Yields `{ index, value }` for each element of the top-level object's `key` array, in order.
 * Throws JsonStreamError (with a byte offset and, inside the array, the element index) when the
 * top level is not an object, there is no such array, or the JSON is invalid or truncated.
 */
export async function* streamJsonArray(
  path: string,
  key = 'grants',
  opts: JsonStreamOptions = {},
): AsyncGenerator<{ index: number; value: unknown }> {
  const scanner = new JsonArrayScanner(basename(path), key);
  const stream = createReadStream(path, { highWaterMark: opts.chunkSize ?? DEFAULT_CHUNK });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const done = scanner.push(chunk);
      for (let k = 0; k < done.length; k++) yield done[k];
    }
  } finally {
    stream.destroy();
  }
  scanner.end();
}
