/**
 * The REST operations of the spec, read from `openapi/connect-trade.json` itself: route matching,
 * query/path parameter parsing and validation, request body and response validation. Nothing
 * here lists an operation by hand, so a spec change reaches the sandbox without edits.
 */
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { type OperationId, operations } from '../../../generated/operations';
import specDocument from '../../../openapi/connect-trade.json';
import { type SchemaName, validatorFor, validatorForInlineSchema } from '../../internal/schema-validator';
import { badRequest } from '../http-error';
import { describeErrors } from './error-messages';
import { decodePathSegment } from './request-target';

// biome-ignore lint/suspicious/noExplicitAny: the spec document is walked generically.
type Json = any;

const spec: Json = specDocument;

interface Parameter {
  name: string;
  in: 'query' | 'path';
  required: boolean;
  schema: Json;
  validate: ValidateFunction;
}

/** One operation, ready to match and validate. */
export interface SpecOperation {
  id: OperationId;
  method: string;
  path: string;
  scope: 'platform' | 'user';
  pattern: RegExp;
  pathNames: string[];
  parameters: Parameter[];
  bodySchema: SchemaName | undefined;
  responses: Map<number, { schema: Json | undefined }>;
}

function deref(node: Json): Json {
  if (node && typeof node.$ref === 'string' && node.$ref.startsWith('#/components/')) {
    const [, , kind, name] = node.$ref.split('/');
    return deref(spec.components[kind][name]);
  }
  return node;
}

function schemaRefName(schema: Json): SchemaName | undefined {
  const ref = schema?.$ref;
  return typeof ref === 'string' ? (ref.replace('#/components/schemas/', '') as SchemaName) : undefined;
}

function build(id: OperationId): SpecOperation {
  const { method, path, scope } = operations[id];
  const item = spec.paths[path][method.toLowerCase()];
  const pathNames: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/\{([^}]+)\}/g, (_m: string, name: string) => {
      pathNames.push(name);
      return '([^/]+)';
    })}$`,
  );
  const parameters: Parameter[] = (item.parameters ?? []).map((raw: Json) => {
    const p = deref(raw);
    return {
      name: p.name,
      in: p.in,
      required: Boolean(p.required),
      schema: p.schema,
      validate: validatorForInlineSchema(p.schema),
    };
  });
  const responses = new Map<number, { schema: Json | undefined }>();
  for (const [status, raw] of Object.entries<Json>(item.responses)) {
    const response = deref(raw);
    responses.set(Number(status), { schema: response.content?.['application/json']?.schema });
  }
  const bodySchema = schemaRefName(item.requestBody?.content?.['application/json']?.schema);
  return { id, method, path, scope, pattern, pathNames, parameters, bodySchema, responses };
}

/** Every operation of the spec. */
export const specOperations: readonly SpecOperation[] = (Object.keys(operations) as OperationId[]).map(build);

/**
 * The operation for a method and path, `405` when only the path matches, or undefined. Throws a
 * 400 `HttpError` for a path parameter with a malformed percent-encoding.
 */
export function matchOperation(
  method: string,
  pathname: string,
): { operation: SpecOperation; pathParams: Record<string, string> } | 405 | undefined {
  let pathMatched = false;
  for (const operation of specOperations) {
    const match = operation.pattern.exec(pathname);
    if (!match) continue;
    pathMatched = true;
    if (operation.method !== method) continue;
    const pathParams: Record<string, string> = {};
    operation.pathNames.forEach((name, i) => {
      pathParams[name] = decodePathSegment(match[i + 1] ?? '', name);
    });
    return { operation, pathParams };
  }
  return pathMatched ? 405 : undefined;
}

/** Converts a query value to what its schema expects (integers, comma-separated arrays). */
function coerce(schema: Json, raw: string): unknown {
  const resolved = deref(schema);
  if (resolved.type === 'integer' && /^-?[0-9]+$/.test(raw)) return Number(raw);
  if (resolved.type === 'array') return raw.split(',');
  return raw;
}

/** Parses and validates the query string and path parameters; 400 names the parameter. */
export function parseParameters(
  operation: SpecOperation,
  search: URLSearchParams,
  pathParams: Record<string, string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const known = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  // Unknown query parameters are refused where the spec lets the operation answer 400, and
  // ignored elsewhere (a 400 there would break the spec the sandbox must follow).
  if (operation.responses.has(400))
    for (const name of search.keys())
      if (!known.has(name)) throw badRequest(`unknown query parameter \`${name}\``, 'invalid_parameter');
  for (const parameter of operation.parameters) {
    const values = parameter.in === 'query' ? search.getAll(parameter.name) : [pathParams[parameter.name]];
    const raw = values[0];
    if (values.length > 1)
      throw badRequest(`query parameter \`${parameter.name}\` is repeated`, 'invalid_parameter');
    if (raw === undefined) {
      if (parameter.required)
        throw badRequest(`missing ${parameter.in} parameter \`${parameter.name}\``, 'invalid_parameter');
      continue;
    }
    const value = coerce(parameter.schema, raw);
    if (!parameter.validate(value)) {
      const detail = describeErrors(parameter.validate.errors ?? [], '');
      throw badRequest(`${parameter.in} parameter \`${parameter.name}\` ${detail}`, 'invalid_parameter');
    }
    out[parameter.name] = value;
  }
  return out;
}

/** Validates a request body against the operation's schema; 400 names the field. */
export function validateBody(operation: SpecOperation, body: unknown): void {
  if (!operation.bodySchema) return;
  const name = discriminated(operation.bodySchema, body);
  const validate = validatorFor(name);
  if (!validate(body))
    throw badRequest(`invalid request body: ${describeErrors(validate.errors ?? [], 'body', name)}`);
}

/** Picks the branch of a discriminated union so errors talk about one shape, not every branch. */
function discriminated(name: SchemaName, value: unknown): SchemaName {
  const schema = spec.components.schemas[name];
  const property = schema?.discriminator?.propertyName;
  if (!property || value === null || typeof value !== 'object') return name;
  const tag = (value as Record<string, unknown>)[property];
  const target = typeof tag === 'string' ? schema.discriminator.mapping?.[tag] : undefined;
  if (!target) {
    const allowed = Object.keys(schema.discriminator.mapping ?? {}).join(', ');
    throw badRequest(`invalid request body: \`${property}\` must be one of ${allowed}`);
  }
  return schemaRefName({ $ref: target }) ?? name;
}

/** Problems of a response against the spec (empty when valid), for the sandbox's own checks. */
export function responseErrors(operation: SpecOperation, status: number, body: unknown): string | undefined {
  const declared = operation.responses.get(status);
  if (!declared) return `status ${status} is not declared for ${operation.id}`;
  if (!declared.schema)
    return body === undefined ? undefined : `status ${status} of ${operation.id} has no body`;
  const name = schemaRefName(declared.schema);
  const validate = name ? validatorFor(name) : validatorForInlineSchema(declared.schema);
  return validate(body) ? undefined : describeErrors((validate.errors ?? []) as ErrorObject[], 'response');
}
