/**
 * Writes `generated/tables.ts`: the validation tables the SDK checks input against before sending
 * anything, read from the spec so that a limit changed in `openapi/` changes the check (and
 * `generate --check` fails until the table is regenerated). Each field becomes a flat `FieldRule`
 * (references resolved, constraints copied); nothing here interprets them.
 */
import type { SchemaObject } from './models';

interface Parameter {
  $ref?: string;
  name: string;
  in: string;
  required?: boolean;
  schema?: SchemaObject;
  style?: string;
  explode?: boolean;
}
interface TableSpec {
  paths: Record<string, Record<string, { operationId?: string; parameters?: Parameter[] }>>;
  components: { schemas: Record<string, SchemaObject>; parameters?: Record<string, Parameter> };
}

const CONSTRAINTS = [
  'type',
  'const',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'default',
  'minItems',
  'maxItems',
  'uniqueItems',
] as const;

const refName = (ref: string) => ref.replace('#/components/schemas/', '');

/** One field as a flat rule: constraints of the schema and of what it references. */
function rule(
  schemas: Record<string, SchemaObject>,
  schema: SchemaObject,
  required: boolean,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let s = schema;
  if (s.$ref) {
    const name = refName(s.$ref);
    const target = schemas[name];
    if (!target) throw new Error(`unresolved ${s.$ref}`);
    out.schema = name;
    s = { ...target, ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$ref')) };
  }
  // A guessed value set (issue 14) is `anyOf: [known, accepted]`: the rule checks the known values or
  // shape, and other values pass with a warning (unless strictValidation) when they fit `accepted`.
  const open = s['x-open'] === true && Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (open) s = { ...s, ...open[0] };
  for (const key of CONSTRAINTS) if (s[key] !== undefined) out[key] = s[key];
  if (Array.isArray(s.enum)) out.enum = s.enum;
  if (s['x-source']) out.source = s['x-source'];
  // A guessed value set (issue 14): other values pass with a warning unless strictValidation is on.
  if (s['x-open'] === true) out.open = true;
  if (typeof open?.[1]?.pattern === 'string') out.openPattern = open[1].pattern;
  if (s.items && typeof s.items === 'object') out.items = rule(schemas, s.items, true);
  if (required) out.required = true;
  return out;
}

/** The properties of an object schema with its `allOf` parts merged, and its required list. */
function flatten(schemas: Record<string, SchemaObject>, schema: SchemaObject) {
  const props: Record<string, SchemaObject | false> = {};
  const required = new Set<string>(schema.required ?? []);
  const visit = (s: SchemaObject) => {
    if (s.$ref) return visit(schemas[refName(s.$ref)] as SchemaObject);
    for (const part of s.allOf ?? []) visit(part);
    for (const r of s.required ?? []) required.add(r);
    for (const [k, v] of Object.entries(s.properties ?? {}))
      props[k] = v === false ? false : (v as SchemaObject);
  };
  visit(schema);
  return { props, required };
}

function fields(schemas: Record<string, SchemaObject>, name: string, skip: readonly string[] = []) {
  const schema = schemas[name];
  if (!schema) throw new Error(`no schema ${name}`);
  const { props, required } = flatten(schemas, schema);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props))
    if (v !== false && !skip.includes(k)) out[k] = rule(schemas, v, required.has(k));
  return out;
}

/** Per order type (OrderRequest's discriminator): the fields it requires and forbids beyond the base. */
function orderTypes(schemas: Record<string, SchemaObject>) {
  const request = schemas.OrderRequest as SchemaObject & {
    discriminator?: { mapping?: Record<string, string> };
  };
  const mapping = request.discriminator?.mapping ?? {};
  const base = flatten(schemas, schemas.OrderRequestBase as SchemaObject);
  const out: Record<string, { required: string[]; forbidden: string[] }> = {};
  for (const [type, ref] of Object.entries(mapping)) {
    const { props, required } = flatten(schemas, { $ref: ref });
    out[type] = {
      required: [...required].filter((k) => !base.required.has(k) && k !== 'order_type'),
      forbidden: Object.entries(props)
        .filter(([, v]) => v === false)
        .map(([k]) => k),
    };
  }
  return out;
}

/** Query parameters of every operation, by operationId and parameter name. */
function queryParameters(spec: TableSpec) {
  const out: Record<string, Record<string, unknown>> = {};
  for (const item of Object.values(spec.paths))
    for (const op of Object.values(item)) {
      if (!op.operationId) continue;
      const params: Record<string, unknown> = {};
      for (const p of op.parameters ?? []) {
        const param = p.$ref
          ? spec.components.parameters?.[p.$ref.replace('#/components/parameters/', '')]
          : p;
        if (param?.in !== 'query' || !param.schema) continue;
        const r = rule(spec.components.schemas, param.schema, param.required === true);
        // style=form, explode=false: an array is sent comma-joined, so an item must not contain a comma.
        if (param.style === 'form' && param.explode === false) r.commaJoined = true;
        params[param.name] = r;
      }
      if (Object.keys(params).length > 0) out[op.operationId] = params;
    }
  return out;
}

/** Market-data subscribe parameters per channel: the fields of each `<Channel>Subscribe` schema beyond the frame's own. */
function subscribeParameters(schemas: Record<string, SchemaObject>) {
  const subscribe = schemas.MarketDataSubscribe as SchemaObject;
  const out: Record<string, unknown> = {};
  for (const alt of subscribe.oneOf ?? []) {
    const name = refName(alt.$ref ?? '');
    const props = (schemas[name] as SchemaObject).properties ?? {};
    const channel = (props.channel as SchemaObject).const as string;
    out[channel] = fields(schemas, name, ['action', 'request_id', 'channel', 'symbols']);
  }
  return out;
}

const literal = (value: unknown) => JSON.stringify(value, null, 2).replace(/\n/g, '\n');

export function tablesModule(spec: TableSpec, header: string): string {
  const schemas = spec.components.schemas;
  const symbols = (schemas.QuotesSubscribe?.properties?.symbols ?? {}) as SchemaObject;
  return `${header}
/** One field or parameter of the spec, references resolved: what the SDK checks before sending. */
export interface FieldRule {
  readonly type?: string | readonly string[];
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  /** The named schema the field references, e.g. \`BarInterval\`. */
  readonly schema?: string;
  /** The spec's \`x-source\` mark of that schema: \`inferred\` values are our guesses. */
  readonly source?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly default?: unknown;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly items?: FieldRule;
  readonly required?: boolean;
  /**
   * The enum or pattern is our guess (\`x-open\` in the spec): another value is accepted with a
   * warning through the logger, or rejected with \`strictValidation: true\`.
   */
  readonly open?: boolean;
  /** What any value of an open enum must still look like, e.g. a bar interval's count and unit. */
  readonly openPattern?: string;
  /** Sent comma-joined (form style, not exploded): an item must not contain a comma. */
  readonly commaJoined?: boolean;
}

/** Per order type: the fields it requires and the fields it forbids, beyond OrderRequestBase. */
export const orderTypeFields: Readonly<Record<string, { readonly required: readonly string[]; readonly forbidden: readonly string[] }>> = ${literal(orderTypes(schemas))};

/** The fields of POST /orders (every order type), PATCH and a leg, with their rules. */
export const requestFields = {
  OrderRequest: ${literal({ ...fields(schemas, 'OrderRequestBase'), ...fields(schemas, 'StopLimitOrderRequest'), order_type: rule(schemas, { $ref: '#/components/schemas/OrderType' }, true) })},
  ReplaceOrderRequest: ${literal(fields(schemas, 'ReplaceOrderRequest'))},
  OrderLeg: ${literal(fields(schemas, 'OrderLeg'))},
} as const satisfies Record<string, Record<string, FieldRule>>;

/** Query parameters by operationId, with their limits and defaults (e.g. \`listOrders.limit\`). */
export const queryParameters = ${literal(queryParameters(spec))} as const satisfies Record<string, Record<string, FieldRule>>;

/** Market-data subscribe parameters by channel (beyond action, request_id, channel, symbols). */
export const subscribeParameters = ${literal(subscribeParameters(schemas))} as const satisfies Record<string, Record<string, FieldRule>>;

/** The symbols of a market-data subscribe frame. */
export const streamSymbols = ${literal(rule(schemas, symbols, true))} as const satisfies FieldRule;

/** The parameters of a bars snapshot request (beyond action, request_id, channel). */
export const snapshotParameters = ${literal(fields(schemas, 'SnapshotRequest', ['action', 'request_id', 'channel']))} as const satisfies Record<string, FieldRule>;
`;
}
