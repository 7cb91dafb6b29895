import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

/** The OpenAPI document, parsed. */
export const SPEC_PATH = join(__dirname, '../../openapi/connect-trade.json');
// biome-ignore lint/suspicious/noExplicitAny: the document is walked generically by tests.
export const spec: any = JSON.parse(readFileSync(SPEC_PATH, 'utf8'));

const ROOT_ID = 'https://connect-trade.local/schemas';

/** Rewrites OpenAPI component refs into refs into one JSON Schema document's $defs. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => [
      key,
      key === '$ref' && typeof value === 'string'
        ? value.replace('#/components/schemas/', `${ROOT_ID}#/$defs/`)
        : rewriteRefs(value),
    ]),
  );
}

function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
  addFormats(ajv);
  // OpenAPI annotations that carry no validation meaning.
  ajv.addKeyword({ keyword: 'discriminator' });
  ajv.addKeyword({ keyword: 'x-source' });
  ajv.addSchema({ $id: ROOT_ID, $defs: rewriteRefs(spec.components.schemas) as object });
  return ajv;
}

const ajv = createAjv();
const cache = new Map<string, ValidateFunction>();

/** The compiled validator of one component schema. */
export function validatorFor(schemaName: string): ValidateFunction {
  let validate = cache.get(schemaName);
  if (!validate) {
    if (!spec.components.schemas[schemaName]) throw new Error(`no schema ${schemaName} in the spec`);
    validate = ajv.getSchema(`${ROOT_ID}#/$defs/${schemaName}`);
    if (!validate) throw new Error(`ajv could not compile ${schemaName}`);
    cache.set(schemaName, validate);
  }
  return validate;
}

/** Validates a value against a component schema: the errors, or an empty list when valid. */
export function schemaErrors(schemaName: string, value: unknown): ErrorObject[] {
  const validate = validatorFor(schemaName);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** Throws a readable error unless the value is valid against the named component schema. */
export function assertMatchesSchema(schemaName: string, value: unknown): void {
  const errors = schemaErrors(schemaName, value);
  if (errors.length > 0) {
    const detail = errors.map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
    throw new Error(`payload does not match ${schemaName}: ${detail}\n${JSON.stringify(value)}`);
  }
}
