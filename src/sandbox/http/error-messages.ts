/**
 * Turns ajv errors into messages that name the offending field (`missing required field
 * \`order_limit_price\``), which is what a 400 from the sandbox must say.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import specDocument from '../../../openapi/connect-trade.json';

// biome-ignore lint/suspicious/noExplicitAny: the spec document is walked generically.
const schemas: any = specDocument.components.schemas;

/** `/legs/0/ratio_qty` -> `legs.0.ratio_qty` (the root is named by `root`). */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (child !== undefined) parts.push(child);
  return parts.join('.');
}

/**
 * The "exactly one of these fields" groups at the top level of a component schema (its own
 * `oneOf` of single `required` branches, or one reached through `allOf`/`$ref`). ajv reports such
 * a oneOf only as "must match exactly one schema", so the message is rebuilt from the schema.
 */
function requiredChoices(schemaName: string | undefined, seen = new Set<string>()): string[][] {
  if (!schemaName || seen.has(schemaName)) return [];
  seen.add(schemaName);
  const schema = schemas[schemaName];
  const out: string[][] = [];
  if (Array.isArray(schema?.oneOf)) {
    const names = schema.oneOf.map((b: { required?: string[] }) =>
      Array.isArray(b?.required) && b.required.length === 1 ? b.required[0] : undefined,
    );
    if (names.every((n: unknown) => typeof n === 'string')) out.push(names);
  }
  for (const part of schema?.allOf ?? []) {
    const ref = typeof part?.$ref === 'string' ? part.$ref.replace('#/components/schemas/', '') : undefined;
    out.push(...requiredChoices(ref, seen));
  }
  return out;
}

function oneOfRequired(error: ErrorObject, schemaName: string | undefined): string | undefined {
  if (error.instancePath !== '') return undefined;
  const [choice, ...others] = requiredChoices(schemaName);
  if (!choice || others.length > 0) return undefined;
  return `must have exactly one of ${choice.map((n) => `\`${n}\``).join(', ')}`;
}

function describeOne(error: ErrorObject, root: string, schemaName: string | undefined): string | undefined {
  const where = fieldName(error.instancePath);
  const prefix = where ? `field \`${where}\` ` : root ? `${root} ` : '';
  switch (error.keyword) {
    case 'required':
      return `missing required field \`${fieldName(error.instancePath, String(error.params.missingProperty))}\``;
    case 'additionalProperties':
      return `unknown field \`${fieldName(error.instancePath, String(error.params.additionalProperty))}\``;
    case 'false schema':
      return `field \`${where}\` is not allowed here`;
    case 'oneOf': {
      const text = oneOfRequired(error, schemaName);
      return text ? `${prefix}${text}` : undefined;
    }
    case 'anyOf':
    case 'if':
      return undefined;
    case 'enum':
      return `${prefix}must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`;
    default:
      return `${prefix}${error.message ?? 'is invalid'}`;
  }
}

/** One message for a list of ajv errors, most specific first and without duplicates. */
export function describeErrors(errors: readonly ErrorObject[], root: string, schemaName?: string): string {
  const messages = [
    ...new Set(errors.map((e) => describeOne(e, root, schemaName)).filter((m): m is string => Boolean(m))),
  ];
  if (messages.length === 0) {
    const first = errors[0];
    return first
      ? `${fieldName(first.instancePath) || root} ${first.message ?? 'is invalid'}`.trim()
      : 'is invalid';
  }
  return messages.join('; ');
}
