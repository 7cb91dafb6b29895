/**
 * Every schema property of the spec has a description of its own (scripts/spec-descriptions.ts, run
 * by `npm run lint:spec` in CI), and those texts are what the API reference shows: the named models
 * carry them, a decimal field says what it is beyond "a decimal", and no model extends the spec's
 * type (which made every field read "Overrides SpecSchema.x").
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingDescriptions } from '../../scripts/spec-descriptions';

const ROOT = join(__dirname, '..', '..');
const spec = JSON.parse(readFileSync(join(ROOT, 'openapi', 'connect-trade.json'), 'utf8')) as {
  components: { schemas: Record<string, { properties?: Record<string, { description?: string }> }> };
};
const models = readFileSync(join(ROOT, 'generated', 'models.ts'), 'utf8');

it('every schema property of openapi/connect-trade.json has a description', () => {
  expect(missingDescriptions(spec)).toEqual([]);
});

it('finds planted violations: a missing, an empty, a nested and an allOf property; conditions and examples are not fields', () => {
  const planted = {
    components: {
      schemas: {
        A: {
          properties: {
            ok: { type: 'string', description: 'Described.' },
            bare: { type: 'string' },
            empty: { type: 'string', description: ' ' },
            nested: { description: 'An object.', properties: { inner: { type: 'number' } } },
            gone: false,
          },
          if: { properties: { ok: { const: 'x' } } },
          example: { properties: { not: 'a schema' } },
        },
        B: { allOf: [{ $ref: '#/components/schemas/A' }, { properties: { extra: { type: 'string' } } }] },
      },
    },
  };
  expect(missingDescriptions(planted)).toEqual([
    '$.components.schemas.A.properties.bare',
    '$.components.schemas.A.properties.empty',
    '$.components.schemas.A.properties.nested.properties.inner',
    '$.components.schemas.B.allOf[1].properties.extra',
  ]);
});

it('the fields named in issue 24 have their own text, in the spec and in the models', () => {
  const order = spec.components.schemas.Order?.properties ?? {};
  for (const field of ['order_id', 'status', 'side', 'fills', 'avg_fill_price'])
    expect(order[field]?.description ?? '').not.toBe('');
  expect(order.avg_fill_price?.description).toMatch(/average fill price/i);
  const orderModel = /export interface Order \{([\s\S]*?)\n\}/.exec(models)?.[1] ?? '';
  // The JSDoc right above a member of the Order model.
  const doc = (member: string) => {
    const before = orderModel.slice(0, orderModel.indexOf(`\n  ${member}`));
    return before.slice(before.lastIndexOf('/**'));
  };
  expect(doc('avg_fill_price?:')).toMatch(/Average fill price/);
  expect(doc('order_id:')).toMatch(/order's id/);
  for (const member of ['status:', 'side:', 'fills?:']) expect(doc(member)).toMatch(/^\/\*\* \S/);
});

it('decimal fields do not all share one text: each says what it is', () => {
  const texts = new Map<string, string>();
  for (const [name, schema] of Object.entries(spec.components.schemas))
    for (const [field, property] of Object.entries(schema.properties ?? {})) {
      const ref = (property as { $ref?: string }).$ref ?? '';
      if (/Decimal$/.test(ref)) texts.set(`${name}.${field}`, property.description ?? '');
    }
  expect(texts.size).toBeGreaterThan(20);
  expect(new Set(texts.values()).size).toBeGreaterThan(texts.size / 2);
});

it('no model extends the spec type (the reference would say "Overrides SpecSchema.x" on every field)', () => {
  expect(models).not.toMatch(/interface \w+ extends SpecSchema/);
  expect(models).toMatch(/Accepts<SpecSchema<'Order'>, Order>/);
});
