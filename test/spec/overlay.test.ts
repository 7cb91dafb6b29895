/**
 * Issue 14 part 2: the spec is the vendor's REST document (`openapi/base.json`) plus our additions in
 * an Overlay 1.0 (`openapi/overlay.yaml`), so swapping the base is the whole update. The base holds
 * nothing of ours (no marks, no WebSocket schemas, none of the tolerated production spellings, no
 * inferred statuses or headers); the overlay puts all of it back, and `--split` records a hand edit
 * of the spec as overlay actions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyOverlay, diffActions, overriddenValues } from '../../scripts/spec-overlay';
import { spec } from '../helpers/spec';

const ROOT = join(__dirname, '../..');
// biome-ignore lint/suspicious/noExplicitAny: documents are walked generically.
type Json = any;
const base: Json = JSON.parse(readFileSync(join(ROOT, 'openapi/base.json'), 'utf8'));
const overlay: Json = parse(readFileSync(join(ROOT, 'openapi/overlay.yaml'), 'utf8'));

/** Every key path of a document, as `a.b.c`. */
function keyPaths(node: unknown, prefix = ''): string[] {
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)]);
}

/** Schemas reachable from the REST operations (what a REST document needs). */
function reachable(doc: Json): Set<string> {
  const seen = new Set<string>();
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      const name =
        k === '$ref' && typeof v === 'string' ? /^#\/components\/schemas\/(.+)$/.exec(v)?.[1] : undefined;
      if (name && !seen.has(name)) {
        seen.add(name);
        walk(doc.components.schemas[name]);
      } else walk(v);
    }
  };
  walk(doc.paths);
  walk(doc.components.responses);
  walk(doc.components.parameters);
  return seen;
}

describe('openapi/base.json is vendor-shaped', () => {
  it('holds no x- key (marks, x-open, our x-request-id header)', () => {
    expect(keyPaths(base).filter((p) => /(^|\.)x-/.test(p))).toEqual([]);
  });

  it('holds REST schemas only: no WebSocket message schema', () => {
    const rest = reachable(base);
    expect(Object.keys(base.components.schemas).filter((k) => !rest.has(k))).toEqual([]);
    for (const ws of ['BrokerageServerMessage', 'MarketDataServerMessage', 'BarInterval', 'Quote'])
      expect(base.components.schemas[ws]).toBeUndefined();
  });

  it("uses the reference's spellings and values only", () => {
    const s = base.components.schemas;
    expect(s.CreateUserResponse.required).toEqual(['user_id', 'user-secret']);
    expect(s.CreateUserResponse.properties.user_secret).toBeUndefined();
    expect(s.ConnectionType.enum).toEqual(['trade', 'market_data']);
    expect(s.CreateConnectionRequest.properties.connection_type).toBeUndefined();
    expect(s.CreateConnectionRequest.required).toContain('type');
    expect(s.CreateConnectionResponse.properties.connection_request_url).toBeUndefined();
    expect(s.CreateConnectionResponse.required).toEqual(['authorization_url']);
    expect(s.Connection.properties.connection_type).toBeUndefined();
    expect(s.Connection.required).toEqual(['connection_id', 'broker', 'type', 'status']);
    expect(s.OrderListResponse).toBeUndefined();
    expect(base.paths['/orders'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/OrderPage',
    );
    expect(base.components.responses.TooManyRequests).toBeUndefined();
    expect(keyPaths(base.paths).filter((p) => /\.(429|204)$/.test(p))).toEqual([]);
  });
});

describe('openapi/overlay.yaml holds our additions', () => {
  it('base + overlay is openapi/connect-trade.json, every action used', async () => {
    const { spec: applied, unused } = await applyOverlay(base, overlay);
    expect(unused).toEqual([]);
    expect(applied).toEqual(spec);
  });

  it('puts back the WebSocket schemas, the tolerated variants and the inferred parts', () => {
    const s = spec.components.schemas;
    expect(s.BrokerageServerMessage).toBeDefined();
    expect(s.MarketDataServerMessage).toBeDefined();
    expect(s.ConnectionType.enum).toEqual(['trade', 'market_data', 'readonly']);
    expect(s.CreateUserResponse.properties.user_secret).toBeDefined();
    expect(s.CreateUserResponse.required).toEqual(['user_id']);
    expect(s.CreateConnectionRequest.properties.connection_type).toBeDefined();
    expect(s.CreateConnectionResponse.properties.connection_request_url).toBeDefined();
    expect(s.Connection.required).toEqual(['connection_id', 'broker']);
    expect(spec.paths['/orders'].get.responses['200'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/OrderListResponse',
    );
    expect(spec.paths['/users/{user_id}'].delete.responses['204']).toBeDefined();
    expect(spec.paths['/orders'].post.responses['429']).toEqual({
      $ref: '#/components/responses/TooManyRequests',
    });
    expect(spec.paths['/orders'].post.responses['200'].headers['x-request-id']).toBeDefined();
  });
});

describe('--split: a hand edit of the spec becomes overlay actions', () => {
  it('diffActions(from, to) applied to `from` gives `to` (added, changed, removed keys; grown and reordered arrays)', async () => {
    const edited = structuredClone(spec);
    const s = edited.components.schemas;
    s.Order.properties.venue = { type: 'string', 'x-source': 'inferred' }; // added
    s.Order.description = 'Edited.'; // changed
    delete s.Order.properties.broker_message; // removed
    s.OrderStatus.enum.push('suspended'); // grown array
    s.Order.required.reverse(); // reordered array
    delete s.Quote; // a removed WebSocket schema
    const actions = diffActions(spec, edited);
    expect(actions.length).toBeGreaterThan(0);
    const { spec: applied, unused } = await applyOverlay(spec, {
      overlay: '1.0.0',
      info: { title: 't', version: '1' },
      actions,
    });
    expect(unused).toEqual([]);
    expect(applied).toEqual(edited);
  });

  it('no edit, no action', () => {
    expect(diffActions(spec, structuredClone(spec))).toEqual([]);
  });
});

describe('spec:update names where the vendor and the overlay meet', () => {
  it('nothing on the committed base', () => {
    expect(overriddenValues(base, spec)).toEqual([]);
  });

  it('a vendor value of a guessed set the overlay lacks, and a value the vendor now adds too', async () => {
    const v2 = structuredClone(base);
    v2.components.schemas.OrderSide.enum.push('SELL_SHORT_EXEMPT');
    v2.components.schemas.ConnectionType.enum.push('readonly');
    const { spec: applied } = await applyOverlay(v2, overlay);
    expect(overriddenValues(v2, applied)).toEqual([
      "ConnectionType: the vendor now lists readonly too; remove it from overlay.yaml's update",
      "OrderSide: the vendor lists SELL_SHORT_EXEMPT, which overlay.yaml's known values lack",
    ]);
  });
});
