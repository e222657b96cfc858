/**
 * The official 360Giving package schema (vendored in schemas/360giving/), compiled with ajv for
 * the tests: a package is valid when every grant is valid against the grant schema it refers to.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { ROOT } from './cli.js';

const require = createRequire(import.meta.url);
let validate: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (validate) return validate;
  const Ajv2020 = require('ajv/dist/2020').default as typeof import('ajv/dist/2020.js').default;
  const addFormats = require('ajv-formats').default as typeof import('ajv-formats').default;
  const ajv = new Ajv2020({ allErrors: true, strict: false, validateSchema: false });
  addFormats(ajv);
  const dir = join(ROOT, 'schemas', '360giving');
  const pkg = JSON.parse(readFileSync(join(dir, '360-giving-package-schema.json'), 'utf8'));
  const grant = JSON.parse(readFileSync(join(dir, '360-giving-schema.json'), 'utf8'));
  // The package schema (1.4.3) refers to the grant schema by its 1.4.2 address.
  const ref: string = pkg.properties.grants.items.$ref;
  ajv.addSchema({ ...grant, $id: ref });
  validate = ajv.compile(pkg);
  return validate;
}

/** Schema errors of a 360Giving package (as `path: message`), or [] when it is valid. */
export function packageErrors(pkg: unknown): string[] {
  const v = validator();
  if (v(pkg)) return [];
  return (v.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message}`);
}
