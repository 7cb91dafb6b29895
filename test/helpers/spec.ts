import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSchemaErrors, type SchemaName, schemaErrors } from '../../src/internal/schema-validator';

export { schemaErrors, validatorFor } from '../../src/internal/schema-validator';

/** The OpenAPI document, parsed. */
export const SPEC_PATH = join(__dirname, '../../openapi/connect-trade.json');
// biome-ignore lint/suspicious/noExplicitAny: the document is walked generically by tests.
export const spec: any = JSON.parse(readFileSync(SPEC_PATH, 'utf8'));

/** Throws a readable error unless the value is valid against the named component schema. */
export function assertMatchesSchema(schemaName: SchemaName, value: unknown): void {
  const errors = schemaErrors(schemaName, value);
  if (errors.length > 0) {
    throw new Error(
      `payload does not match ${schemaName}: ${describeSchemaErrors(errors)}\n${JSON.stringify(value)}`,
    );
  }
}
