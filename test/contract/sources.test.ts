/**
 * Issue 14 item 3: what we inferred is marked as inferred. A property whose shape comes from an
 * inferred schema, inside a schema marked `reference`, carries its own `x-source` (`reference`
 * when the reference names the field, `inferred` when no vendor text shows it), so nobody reads a
 * guess as vendor fact. The required fields no vendor text shows are marked `inferred`.
 */
import { spec } from '../helpers/spec';

type Schema = { 'x-source'?: string; $ref?: string; properties?: Record<string, Schema | boolean> };
const schemas = spec.components.schemas as Record<string, Schema>;
const target = (s: Schema) => (s.$ref ? schemas[s.$ref.replace('#/components/schemas/', '')] : undefined);

test('no inferred shape sits unmarked inside a reference schema', () => {
  const unmarked: string[] = [];
  for (const [name, schema] of Object.entries(schemas)) {
    if (schema['x-source'] !== 'reference') continue;
    for (const [prop, value] of Object.entries(schema.properties ?? {})) {
      if (typeof value !== 'object' || value['x-source']) continue;
      if (target(value)?.['x-source'] === 'inferred') unmarked.push(`${name}.${prop}`);
    }
  }
  expect(unmarked).toEqual([]);
});

test.each([
  ['Balance', 'account_id'],
  ['Balance', 'updated_at'],
  ['Position', 'account_id'],
  ['Position', 'instrument'],
  ['Position', 'market_value'],
  ['Account', 'connection_id'],
  ['Order', 'order_id'],
  ['Order', 'created_at'],
  ['Order', 'updated_at'],
  ['Transaction', 'transaction_id'],
  ['Transaction', 'currency'],
])('%s.%s, shown by no vendor text, is marked inferred', (name, prop) => {
  const property = schemas[name]?.properties?.[prop] as Schema | undefined;
  expect(property?.['x-source']).toBe('inferred');
});
