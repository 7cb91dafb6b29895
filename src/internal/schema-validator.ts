/**
 * ajv validators for the spec's component schemas (REST bodies and every stream message).
 * Used by the sandbox, by streams with `validate: true`, and by the contract tests. It loads the
 * whole spec and ajv, so import it lazily from code that ships to browsers.
 */
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { components } from '../../generated/schema';
import specDocument from '../../openapi/connect-trade.json';

/** The name of a component schema of the spec. */
export type SchemaName = keyof components['schemas'];

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

let ajv: Ajv2020 | undefined;
const cache = new Map<string, ValidateFunction>();

function getAjv(): Ajv2020 {
  if (!ajv) {
    ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    // OpenAPI annotations that carry no validation meaning.
    ajv.addKeyword({ keyword: 'discriminator' });
    ajv.addKeyword({ keyword: 'x-source' });
    // Marks of a guessed value set (issue 14): the SDK's input checks read them, ajv ignores them.
    ajv.addKeyword({ keyword: 'x-open' });
    ajv.addSchema({ $id: ROOT_ID, $defs: rewriteRefs(specDocument.components.schemas) as object });
  }
  return ajv;
}

/** The compiled validator of one component schema (compiled once, then cached). */
export function validatorFor(schemaName: SchemaName): ValidateFunction {
  let validate = cache.get(schemaName);
  if (!validate) {
    if (!(schemaName in specDocument.components.schemas))
      throw new Error(`No schema ${schemaName} in the spec`);
    validate = getAjv().getSchema(`${ROOT_ID}#/$defs/${schemaName}`);
    if (!validate) throw new Error(`ajv could not compile ${schemaName}`);
    cache.set(schemaName, validate);
  }
  return validate;
}

/** Validates a value against a component schema: its errors, or an empty list when valid. */
export function schemaErrors(schemaName: SchemaName, value: unknown): ErrorObject[] {
  const validate = validatorFor(schemaName);
  return validate(value) ? [] : [...(validate.errors ?? [])];
}

/** One line per problem, e.g. `/order_qty must match pattern "..."`. */
export function describeSchemaErrors(errors: readonly ErrorObject[]): string {
  return errors.map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`).join('; ');
}

/** What is wrong with a value against a component schema, in one line; undefined when it is valid. */
export function schemaProblem(schemaName: SchemaName, value: unknown): string | undefined {
  const errors = schemaErrors(schemaName, value);
  return errors.length > 0 ? describeSchemaErrors(errors) : undefined;
}

const inlineCache = new Map<string, ValidateFunction>();

/**
 * The compiled validator of a schema written inline in the spec (a parameter's schema, an array of
 * component refs), sharing the component validators' ajv instance. Cached by the schema's text.
 */
export function validatorForInlineSchema(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = inlineCache.get(key);
  if (!validate) {
    validate = getAjv().compile(rewriteRefs(schema) as object);
    inlineCache.set(key, validate);
  }
  return validate;
}
