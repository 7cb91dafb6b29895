/**
 * A fixture "vendor v2": the vendor's next REST document, derived from today's vendor-shaped base
 * (`openapi/base.json`) by one change of each kind spec:diff and spec:update must handle.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applyOverlay } from '../../scripts/spec-overlay';

const ROOT = join(__dirname, '../..');

// biome-ignore lint/suspicious/noExplicitAny: the document is edited generically.
function v2Base(): any {
  const v2 = JSON.parse(readFileSync(join(ROOT, 'openapi/base.json'), 'utf8'));
  const schemas = v2.components.schemas;
  delete schemas.Order.properties.broker_message; // breaking: a removed response field
  schemas.TimeInForce.enum = schemas.TimeInForce.enum.filter((v: string) => v !== 'GTC+'); // breaking: narrowed
  schemas.OrderStatus.enum.push('suspended'); // not breaking for a tolerant reader
  schemas.OrderSide.enum.push('SELL_SHORT_EXEMPT'); // a value of a set we guessed (open in our overlay)
  schemas.Order.properties.venue = { type: 'string', description: 'Where it executed.' }; // additive
  schemas.OrderRequestBase.properties.extended_hours = { type: 'boolean' }; // additive (optional)
  v2.paths['/orders/{order_id}'] = {
    get: {
      operationId: 'getOrder',
      summary: 'One order',
      security: v2.paths['/orders'].get.security,
      parameters: [{ $ref: '#/components/parameters/OrderIdPath' }],
      responses: v2.paths['/accounts/{account_id}/orders/{order_id}'].delete.responses,
    },
  }; // additive: a new operation
  return v2;
}

const writeTemp = (name: string, value: unknown) => {
  const file = join(mkdtempSync(join(tmpdir(), 'ct-vendor-v2-')), name);
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
};

/** The vendor's v2 document as the vendor would publish it (what `spec:update` is given). */
export function vendorV2Base(): string {
  return writeTemp('openapi.json', v2Base());
}

/** Our spec after the vendor's v2: the v2 base with our overlay applied (what `spec:update` writes). */
export async function vendorV2(): Promise<string> {
  const overlay = parse(readFileSync(join(ROOT, 'openapi/overlay.yaml'), 'utf8'));
  const { spec, unused } = await applyOverlay(v2Base(), overlay);
  if (unused.length > 0) throw new Error(`overlay actions unused on vendor v2: ${unused.join(', ')}`);
  return writeTemp('connect-trade.json', spec);
}
