/**
 * Checks recorded sandbox traffic against `openapi/connect-trade.json`, independently of the
 * sandbox's own checks: each REST request (path and query parameters, JSON body) and response
 * (status declared by the operation, body against its schema), and every stream frame against the
 * client or server message union of its stream. Returns one line per violation.
 */
import type { ValidateFunction } from 'ajv/dist/2020';
import {
  describeSchemaErrors,
  schemaErrors,
  validatorForInlineSchema,
} from '../../src/internal/schema-validator';
import type { SandboxTraffic } from '../../src/sandbox';
import { spec } from './spec';

// biome-ignore lint/suspicious/noExplicitAny: the spec document is walked generically.
type Json = any;

interface Param {
  name: string;
  in: string;
  schema: Json;
  validate: ValidateFunction;
}

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  pathNames: string[];
  params: Param[];
  body: Json | undefined;
  responses: Record<string, Json>;
}

function deref(node: Json): Json {
  if (node && typeof node.$ref === 'string') {
    const [, , kind, name] = node.$ref.split('/');
    return deref(spec.components[kind][name]);
  }
  return node;
}

const operations = new Map<string, Operation>();
for (const [template, item] of Object.entries<Json>(spec.paths)) {
  for (const [method, op] of Object.entries<Json>(item)) {
    if (!op?.operationId) continue;
    const pathNames: string[] = [];
    const pattern = new RegExp(
      `^${template.replace(/\{([^}]+)\}/g, (_m, name: string) => {
        pathNames.push(name);
        return '([^/]+)';
      })}$`,
    );
    const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(deref).map((p: Json) => ({
      name: p.name,
      in: p.in,
      schema: p.schema,
      validate: validatorForInlineSchema(p.schema),
    }));
    operations.set(op.operationId, {
      method: method.toUpperCase(),
      template,
      pattern,
      pathNames,
      params,
      body: deref(op.requestBody)?.content?.['application/json']?.schema,
      responses: op.responses,
    });
  }
}

/** A query or path value as its schema's type (query strings carry only text). */
function coerce(schema: Json, raw: string): unknown {
  const type = deref(schema)?.type;
  if (type === 'integer' || type === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (type === 'array') return raw.split(',');
  return raw;
}

function inline(schema: Json, value: unknown): string | undefined {
  const validate = validatorForInlineSchema(schema);
  return validate(value) ? undefined : describeSchemaErrors(validate.errors ?? []);
}

function restViolations(entry: Extract<SandboxTraffic, { kind: 'rest' }>): string[] {
  const where = `${entry.method} ${entry.path} (${entry.operationId})`;
  const op = operations.get(entry.operationId);
  if (!op) return [`${where}: no such operation in the spec`];
  const out: string[] = [];
  const url = new URL(entry.path, 'http://x');
  const match = op.pattern.exec(url.pathname);
  if (entry.method !== op.method || !match) out.push(`${where}: does not match ${op.method} ${op.template}`);
  for (const p of op.params) {
    const raw =
      p.in === 'path'
        ? match?.[op.pathNames.indexOf(p.name) + 1]
        : (url.searchParams.get(p.name) ?? undefined);
    if (raw === undefined) continue;
    const value = coerce(p.schema, p.in === 'path' ? decodeURIComponent(raw) : raw);
    if (!p.validate(value))
      out.push(`${where}: ${p.in} parameter ${p.name}: ${describeSchemaErrors(p.validate.errors ?? [])}`);
  }
  for (const name of url.searchParams.keys())
    if (!op.params.some((p) => p.in === 'query' && p.name === name))
      out.push(`${where}: query parameter ${name} is not in the spec`);
  if (entry.requestBody !== undefined) {
    if (!op.body) out.push(`${where}: sent a body the operation does not take`);
    else {
      const problem = inline(op.body, entry.requestBody);
      if (problem) out.push(`${where}: request body: ${problem}`);
    }
  }
  if (entry.dropped || entry.responseBody === undefined) return out;
  const declared = deref(op.responses[String(entry.status)]);
  if (declared) {
    const schema = declared.content?.['application/json']?.schema;
    const problem = schema ? inline(schema, entry.responseBody) : undefined;
    if (problem) out.push(`${where}: ${entry.status} response: ${problem}`);
  } else if (entry.status >= 400) {
    // Injected faults use any status (503...); PROTOCOL.md: every non-2xx body is an Error.
    const errors = schemaErrors('Error', entry.responseBody);
    if (errors.length > 0) out.push(`${where}: ${entry.status} error body: ${describeSchemaErrors(errors)}`);
  } else out.push(`${where}: status ${entry.status} is not declared`);
  return out;
}

function frameViolations(entry: Extract<SandboxTraffic, { kind: 'frame' }>): string[] {
  const side = entry.direction === 'in' ? 'Client' : 'Server';
  const name = entry.stream === 'brokerage' ? `BrokerageMessage` : 'MarketDataMessage';
  const schema = name.replace('Message', `${side}Message`) as
    | 'BrokerageClientMessage'
    | 'BrokerageServerMessage'
    | 'MarketDataClientMessage'
    | 'MarketDataServerMessage';
  const errors = schemaErrors(schema, entry.frame);
  return errors.length === 0
    ? []
    : [
        `${entry.stream} frame ${entry.direction} ${JSON.stringify(entry.frame)}: ${describeSchemaErrors(errors)}`,
      ];
}

/** Every violation of the spec in the recorded traffic (empty when all of it conforms). */
export function trafficViolations(traffic: readonly SandboxTraffic[]): string[] {
  return traffic.flatMap((entry) => (entry.kind === 'rest' ? restViolations(entry) : frameViolations(entry)));
}
