/**
 * Browser bundles of the BUILT package (scripts/bundle-size.ts): no Node-only module, and the
 * up-front min+gzip size within the budgets of scripts/bundle-size.ts.
 */
import { BUNDLES, type BundleReport, measureBundle } from '../../scripts/bundle-size';
import { preparePackage } from './consumer';

jest.setTimeout(180_000);

const reports = new Map<string, BundleReport>();
beforeAll(async () => {
  const consumer = await preparePackage();
  for (const { name, code, budget } of BUNDLES)
    reports.set(name, await measureBundle(name, code, consumer, budget));
});

const report = (name: string): BundleReport => {
  const found = reports.get(name);
  if (!found) throw new Error(`no report for ${name}`);
  return found;
};

it.each(BUNDLES.map((b) => b.name))('%s: bundles for browsers with no Node-only module', (name) => {
  const r = report(name);
  expect(r.external).toEqual([]);
  expect(r.inputs.filter((p) => p.startsWith('node:'))).toEqual([]);
  // `browser: { undici: false }` leaves an empty "(disabled)" stub where the Node transport imports it.
  expect(
    r.inputs.filter((p) => /node_modules\/(ws|undici)\//.test(p) && !p.startsWith('(disabled):')),
  ).toEqual([]);
  // OpenTelemetry is Node-only: the instrumentation is mapped out, its peer never reached.
  expect(r.inputs.filter((p) => /telemetry-otel/.test(p) && !p.startsWith('(disabled):'))).toEqual([]);
  expect(r.inputs.filter((p) => p.includes('@opentelemetry'))).toEqual([]);
  // The schema validator (ajv + the whole spec) only ever loads lazily, for `validate: true`.
  expect(
    r.initialInputs.filter((p) => /node_modules\/ajv|connect-trade\.json|schema-validator/.test(p)),
  ).toEqual([]);
});

it('connect-trade/streams brings the market-data stream, not the REST client', () => {
  const r = report('market-data stream');
  // The stream code comes from the built package (its entry or a shared chunk), not from src/.
  expect(r.initialInputs.some((p) => /dist\/(chunk-.*|streams)\.mjs$/.test(p))).toBe(true);
  expect(r.initialInputs.filter((p) => p.includes('/src/'))).toEqual([]);
  expect(r.inputs.filter((p) => p.includes('openapi-fetch'))).toEqual([]);
});

it('connect-trade/rest loads the order checks, placement and the rate limiter only when first used', () => {
  const r = report('connect-trade/rest');
  const lazy = /dist\/on-demand-[^/]*\.mjs$/;
  // One chunk of its own in the bundle (src/rest/deferred/), not in the up-front load.
  expect(r.inputs.filter((p) => lazy.test(p))).toHaveLength(1);
  expect(r.initialInputs.filter((p) => lazy.test(p))).toEqual([]);
});

it.each(BUNDLES.filter((b) => b.budget !== undefined).map((b) => [b.name, b.budget]))(
  '%s: up-front load within %d bytes min+gzip',
  (name) => {
    const r = report(String(name));
    expect(r.initialGzip).toBeGreaterThan(1_000); // measured something real
    expect(r.initialGzip).toBeLessThanOrEqual(r.budget ?? 0);
  },
);
