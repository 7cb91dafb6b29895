/**
 * Turns ajv errors into messages that name the offending field (`missing required field
 * \`order_limit_price\``), which is what a 400 from the sandbox must say.
 */
import type { ErrorObject } from 'ajv/dist/2020';
import specDocument from '../../../openapi/connect-trade.json';

// biome-ignore lint/suspicious/noExplicitAny: the spec document is walked generically.
const schemas: any = specDocument.components.schemas;

/** `/legs/0/ratio_qty` -> `legs.0.ratio_qty` (the root is named by `root`). */
function fieldName(instancePath: string, child?: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  if (child !== undefined) parts.push(child);
  return parts.join('.');
}

/** The schema node an error's schemaPath points at, when it is inside a component schema. */
function schemaAt(schemaPath: string): unknown {
  const hash = schemaPath.split('#/$defs/')[1];
  if (!hash) return undefined;
  // biome-ignore lint/suspicious/noExplicitAny: generic walk.
  let node: any = schemas;
  for (const part of hash.split('/')) node = node?.[part];
  return node;
}

/** "must have exactly one of `a`, `b`" when a oneOf only chooses between required fields. */
function oneOfRequired(error: ErrorObject): string | undefined {
  const branches = schemaAt(error.schemaPath);
  if (!Array.isArray(branches)) return undefined;
  const names = branches.map((b) =>
    Array.isArray(b?.required) && b.required.length === 1 ? b.required[0] : undefined,
  );
  if (names.some((n) => n === undefined)) return undefined;
  return `must have exactly one of ${names.map((n) => `\`${n}\``).join(', ')}`;
}

function describeOne(error: ErrorObject, root: string): string | undefined {
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
      const text = oneOfRequired(error);
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
export function describeErrors(errors: readonly ErrorObject[], root: string): string {
  const messages = [
    ...new Set(errors.map((e) => describeOne(e, root)).filter((m): m is string => Boolean(m))),
  ];
  if (messages.length === 0) {
    const first = errors[0];
    return first
      ? `${fieldName(first.instancePath) || root} ${first.message ?? 'is invalid'}`.trim()
      : 'is invalid';
  }
  return messages.join('; ');
}
