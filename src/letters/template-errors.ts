/**
 * Template problems, located: the file, the line and the name at fault. HelperError is what a
 * helper throws while rendering; template-compile.ts turns it (and Handlebars' own errors) into a
 * TemplateError.
 */
import { DataError, knownList } from '../core/errors.js';

/** A template problem, located: `templates/full-response.hbs line 12: "requestor" is not defined`. */
export class TemplateError extends DataError {
  readonly file: string;
  readonly line: number | null;
  /** The variable, helper or partial name at fault, when there is one. */
  readonly subject: string | null;
  /** The message without the file and line. */
  readonly detail: string;
  constructor(file: string, line: number | null, detail: string, subject: string | null = null, details: string[] = []) {
    super(`${file}${line != null ? ` line ${line}` : ''}: ${detail}`, details);
    this.file = file;
    this.line = line;
    this.subject = subject;
    this.detail = detail;
  }
}

/**
 * A template name the template set does not hold: the request (or --template) names a letter that
 * is not there, an error (exit 1) that the caller places in the request file or option.
 */
export class UnknownTemplateError extends DataError {
  constructor(readonly template: string, known: Iterable<string>) {
    super(`unknown template "${template}" (${knownList(known)})`);
  }
}

/** Thrown by helpers; carries the helper name and the call's line (from `options.loc`). */
export class HelperError extends Error {
  readonly helper: string;
  readonly line: number | null;
  constructor(helper: string, message: string, line: number | null) {
    super(message);
    this.name = 'HelperError';
    this.helper = helper;
    this.line = line;
  }
}
