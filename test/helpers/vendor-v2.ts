/** A fixture "vendor v2" of the spec: one change of each kind spec:diff and spec:update must handle. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spec } from './spec';

/** The vendor's next version, as a fixture: derived from today's spec by the changes under test. */
export function vendorV2(): string {
  const v2 = structuredClone(spec);
  const schemas = v2.components.schemas;
  delete schemas.Order.properties.broker_message; // breaking: a removed response field
  schemas.TimeInForce.enum = schemas.TimeInForce.enum.filter((v: string) => v !== 'GTC+'); // breaking: narrowed
  schemas.OrderStatus.enum.push('suspended'); // not breaking for a tolerant reader
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
  const file = join(mkdtempSync(join(tmpdir(), 'ct-vendor-v2-')), 'connect-trade.json');
  writeFileSync(file, `${JSON.stringify(v2, null, 2)}\n`);
  return file;
}
