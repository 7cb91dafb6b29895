/**
 * Writes `generated/models.ts`: one named type per schema of the spec, so hovers, go-to-definition
 * and the API reference show `Order` with its fields and the spec's descriptions instead of
 * `components["schemas"]["Order"]`. Object schemas become standalone interfaces that state the
 * members of the openapi-typescript type with JSDoc (standalone, not `extends`: the API reference
 * would show every field as "Overrides SpecSchema.x"); compile-time checks in both directions prove
 * each model equals its type in `schema.d.ts`, so it can never drift. Everything else (enums,
 * unions, scalars) becomes a type alias.
 */

export interface SchemaObject {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  pattern?: string;
  $ref?: string;
  items?: SchemaObject;
  properties?: Record<string, SchemaObject | boolean>;
  required?: string[];
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  'x-source'?: string;
  [key: string]: unknown;
}

/** Spec names that would shadow a global of the same name inside a module that imports them. */
export const MODEL_RENAMES: Readonly<Record<string, string>> = { Error: 'ErrorBody', Date: 'DateString' };

export const modelName = (schema: string): string => MODEL_RENAMES[schema] ?? schema;
const refName = (ref: string): string => ref.replace('#/components/schemas/', '');

/**
 * A guessed value set (`x-open: true`, issue 14) is `anyOf: [known, accepted]`: the values or shape we
 * know, then what is accepted (any non-empty string, or a pattern). Its known values, or a plain
 * schema's `enum`; undefined when there are none.
 */
export function knownValues(schema: SchemaObject): unknown[] | undefined {
  if (Array.isArray(schema.enum)) return schema.enum;
  if (schema['x-open'] === true && Array.isArray(schema.anyOf)) return schema.anyOf[0]?.enum;
  return undefined;
}

/** The TypeScript type of a guessed value set: the known values suggested, any string accepted. */
export function openType(schema: SchemaObject): string | undefined {
  if (schema['x-open'] !== true) return undefined;
  const known = knownValues(schema);
  return known ? `${known.map((v) => JSON.stringify(v)).join(' | ')} | (string & {})` : 'string';
}

/** A decimal string schema: the spec's `Decimal` / `UnsignedDecimal` (digits, up to 9 decimals). */
export function isDecimalSchema(schema: SchemaObject | undefined): boolean {
  return (
    schema?.type === 'string' && typeof schema.pattern === 'string' && schema.pattern.includes('[0-9]{1,9}')
  );
}

/** A constraint-only subschema (`{ required: [...] }`, `anyOf` of those): no shape of its own. */
function constraintOnly(schema: SchemaObject): boolean {
  const keys = Object.keys(schema).filter((k) => k !== 'required');
  if (keys.length === 0) return true;
  const alternatives = schema.anyOf ?? schema.oneOf;
  return keys.length === 1 && Array.isArray(alternatives) && alternatives.every(constraintOnly);
}

interface Member {
  name: string;
  required: boolean;
  schema: SchemaObject | false;
}

/** The members of an object schema, its `allOf` parts merged in; undefined when it is not one object. */
function objectMembers(schemas: Record<string, SchemaObject>, schema: SchemaObject): Member[] | undefined {
  if (schema.$ref) {
    const target = schemas[refName(schema.$ref)];
    return target ? objectMembers(schemas, target) : undefined;
  }
  const alternatives = [...(schema.oneOf ?? []), ...(schema.anyOf ?? [])];
  if (!alternatives.every(constraintOnly)) return undefined;
  if (!schema.properties && !schema.allOf) return undefined;
  const members = new Map<string, Member>();
  const required = new Set(schema.required ?? []);
  for (const part of schema.allOf ?? []) {
    if (constraintOnly(part)) continue;
    const inherited = objectMembers(schemas, part);
    if (!inherited) return undefined;
    for (const m of inherited) members.set(m.name, m);
  }
  for (const [name, value] of Object.entries(schema.properties ?? {}))
    members.set(name, { name, required: false, schema: value === false ? false : (value as SchemaObject) });
  // openapi-typescript (defaultNonNullable) makes a member with a `default` required; so do we.
  for (const m of members.values())
    if (required.has(m.name) || (m.schema && m.schema.default !== undefined)) m.required = true;
  return members.size > 0 || schema.properties ? [...members.values()] : undefined;
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const key = (name: string) => (identifier.test(name) ? name : JSON.stringify(name));

/** The TypeScript type of a property schema, naming models where the spec references them. */
function typeOf(schema: SchemaObject, fallback: string): string {
  if (schema.$ref) return modelName(refName(schema.$ref));
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length === 0 || schema.anyOf || schema.oneOf || schema.allOf) return fallback;
  const mapped = types.map((t) => {
    if (t === 'string' || t === 'boolean' || t === 'null') return t;
    if (t === 'integer' || t === 'number') return 'number';
    if (t === 'array' && schema.items && schema.items !== (true as unknown)) {
      const item = typeOf(schema.items, '');
      return item === '' ? undefined : /[ |&]/.test(item) ? `(${item})[]` : `${item}[]`;
    }
    return undefined;
  });
  return mapped.includes(undefined) ? fallback : mapped.join(' | ');
}

/** JSDoc lines for a property: its description, the referenced schema's, and what a decimal is. */
function memberDoc(schemas: Record<string, SchemaObject>, schema: SchemaObject): string[] {
  const target = schema.$ref ? schemas[refName(schema.$ref)] : undefined;
  const lines: string[] = [];
  if (schema.description) lines.push(schema.description);
  if (isDecimalSchema(target) || isDecimalSchema(schema)) {
    const what = (target ?? schema).description ?? 'A decimal string.';
    if (!lines.includes(what)) lines.push(what);
    lines.push('A decimal *string* (e.g. `"189.5"`), never a JS number, so no precision is lost.');
  } else if (!schema.description && target?.description && !knownValues(target)) {
    lines.push(target.description);
  }
  return lines;
}

const jsdoc = (lines: string[], indent: string): string[] => {
  const text = lines.flatMap((l) => l.split('\n')).map((l) => l.replace(/\*\//g, '*\\/'));
  if (text.length === 0) return [];
  if (text.length === 1) return [`${indent}/** ${text[0]} */`];
  return [`${indent}/**`, ...text.map((l) => `${indent} * ${l}`.trimEnd()), `${indent} */`];
};

function schemaDoc(name: string, schema: SchemaObject): string[] {
  const known = knownValues(schema);
  const values = known
    ? `${schema['x-open'] === true ? 'Known values' : 'One of'} ${known.map((v) => `\`${v}\``).join(', ')}.`
    : '';
  const lines = [
    [schema.description, values].filter(Boolean).join(' ') || `The \`${name}\` schema of the spec.`,
  ];
  if (name !== modelName(name)) lines.push(`(The spec calls this schema \`${name}\`.)`);
  return lines;
}

export function modelsModule(
  spec: { components: { schemas: Record<string, unknown> } },
  header: string,
): string {
  const schemas = spec.components.schemas as Record<string, SchemaObject>;
  const out: string[] = [];
  const interfaces: string[] = [];
  const aliases: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    const model = modelName(name);
    const source = `SpecSchema<'${name}'>`;
    const members = objectMembers(schemas, schema);
    out.push(...jsdoc(schemaDoc(name, schema), ''));
    if (!members) {
      // Written out (literal unions, named members) so the API reference shows the values; the
      // checks at the end prove the alias equals openapi-typescript's type.
      const alternatives = schema.oneOf ?? schema.anyOf;
      const union = alternatives?.every((a) => a.$ref)
        ? alternatives.map((a) => modelName(refName(a.$ref as string))).join(' | ')
        : undefined;
      // A guessed value set (\`x-open\`): editors suggest the known values, any string is accepted
      // (scripts/generate.ts gives openapi-typescript's type the same shape).
      const written =
        openType(schema) ?? union ?? typeOf(schema, `components['schemas'][${JSON.stringify(name)}]`);
      if (!written.startsWith('components['))
        aliases.push(`  Accepts<${model}, ${source}>,`, `  Accepts<${source}, ${model}>,`);
      out.push(`export type ${model} = ${written};`, '');
      continue;
    }
    interfaces.push(`  Accepts<${model}, ${source}>,`, `  Accepts<${source}, ${model}>,`);
    out.push(`export interface ${model} {`);
    for (const m of members) {
      if (m.schema === false) {
        out.push(`  ${key(m.name)}?: never;`); // forbidden by the spec
        continue;
      }
      const type = typeOf(m.schema, `Defined<${source}[${JSON.stringify(m.name)}]>`);
      out.push(...jsdoc(memberDoc(schemas, m.schema), '  '));
      out.push(`  ${key(m.name)}${m.required ? '' : '?'}: ${type};`);
    }
    out.push('}', '');
  }
  return `${header}
import type { components } from './schema';

/** openapi-typescript's type of a schema. */
type SpecSchema<Name extends keyof components['schemas']> = components['schemas'][Name];
/** The spec's type without the \`undefined\` an optional member reads as. */
type Defined<T> = Exclude<T, undefined>;

${out.join('\n')}
// Compile-time proof, in both directions, that each named model and openapi-typescript's type of its
// schema accept the same values: they are the same shape.
type Accepts<Model, Spec extends Model> = Spec;
type ModelChecks = [
${interfaces.join('\n')}
${aliases.join('\n')}
];
`;
}
