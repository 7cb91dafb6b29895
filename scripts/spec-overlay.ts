/**
 * The spec is the vendor's REST document (`openapi/base.json`, vendor-shaped: what the vendor's own
 * OpenAPI file holds) plus OUR additions in an OpenAPI Overlay 1.0 (`openapi/overlay.yaml`): the
 * WebSocket schemas of both streams, the tolerated variants production sends (`user_secret`,
 * `connection_type`, `readonly`, `connection_request_url`, a bare array from GET /orders, a 204 from
 * a DELETE), the guessed values we keep open, the headers and statuses we inferred, and the
 * `x-source` marks. The overlay is applied by a maintained library (`openapi-format`), not by hand,
 * so swapping the base is the whole update.
 *
 *   npm run spec:update -- <file-or-url>   replace the base with the vendor's document, reapply the
 *                                          overlay, write openapi/connect-trade.json, regenerate and
 *                                          print spec:diff old → new (`--no-diff` skips the diff)
 *   npm run spec:overlay                   write openapi/connect-trade.json from base + overlay
 *   npm run spec:overlay:check             exit 1 unless base + overlay == connect-trade.json
 *   tsx scripts/spec-overlay.ts --split    after a hand edit of connect-trade.json: record the edit
 *                                          as overlay actions (the base is the vendor's and changes
 *                                          only through spec:update), then rewrite the spec from them
 *
 * Actions whose target the new base no longer has are listed by spec:update: each is a place where
 * our knowledge must be re-checked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openapiOverlay } from 'openapi-format';
import { parse, parseDocument } from 'yaml';

const ROOT = resolve(__dirname, '..');
const SPEC = join(ROOT, 'openapi', 'connect-trade.json');
const BASE = join(ROOT, 'openapi', 'base.json');
const OVERLAY = join(ROOT, 'openapi', 'overlay.yaml');

type Json = Record<string, unknown>;
/** One Overlay 1.0 action. */
export interface OverlayAction {
  target: string;
  description?: string;
  update?: unknown;
  remove?: true;
}

/** The RFC 9535 normalized path of a node (what an overlay `target` accepts). */
export const jsonPath = (keys: readonly string[]) =>
  `$${keys.map((k) => `['${k.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`).join('')}`;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The overlay actions that turn `from` into `to` (up to key order): changed or added keys become an
 * `update` of their parent, removed keys a `remove`, an array that only grew an `update` appending
 * the new items, any other array change a `remove` then an `update` of its parent.
 */
export function diffActions(from: unknown, to: unknown, keys: string[] = []): OverlayAction[] {
  if (!isObject(from) || !isObject(to)) throw new Error(`diffActions: ${jsonPath(keys)} is not an object`);
  const actions: OverlayAction[] = [];
  const update: Json = {};
  const nested: OverlayAction[] = [];
  for (const [key, value] of Object.entries(to)) {
    const before = from[key];
    if (same(before, value)) continue;
    if (isObject(before) && isObject(value)) nested.push(...diffActions(before, value, [...keys, key]));
    else if (Array.isArray(before) && Array.isArray(value) && same(before, value.slice(0, before.length)))
      nested.push({ target: jsonPath([...keys, key]), update: value.slice(before.length) });
    else {
      if (Array.isArray(before)) actions.push({ target: jsonPath([...keys, key]), remove: true });
      update[key] = value;
    }
  }
  for (const key of Object.keys(from))
    if (!(key in to)) actions.push({ target: jsonPath([...keys, key]), remove: true });
  if (Object.keys(update).length > 0) actions.push({ target: jsonPath(keys), update });
  return [...actions, ...nested];
}

/** The base with the overlay applied, and the targets of actions that matched nothing. */
export async function applyOverlay(base: Json, overlay: Json): Promise<{ spec: Json; unused: string[] }> {
  const errors: unknown[] = [];
  const consoleError = console.error;
  // openapi-format reports a bad action on console.error and carries on; here it is a failure.
  console.error = (...args: unknown[]) => errors.push(args.join(' '));
  try {
    const result = (await openapiOverlay(structuredClone(base), { overlaySet: overlay as never })) as {
      data: Json;
      resultData: { unusedActions: { target: string }[] };
    };
    if (errors.length > 0) throw new Error(`overlay: ${errors.join('; ')}`);
    return { spec: result.data, unused: result.resultData.unusedActions.map((a) => a.target) };
  } finally {
    console.error = consoleError;
  }
}

const write = (file: string, value: Json) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;
const parseSpec = (text: string) =>
  (text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text)) as Json;

async function load(source: string): Promise<Json> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
    return parseSpec(await response.text());
  }
  return parseSpec(readFileSync(resolve(source), 'utf8'));
}

/**
 * Where the vendor's new values and the overlay's meet. The overlay restates the known values of each
 * guessed set (`x-open`, `anyOf: [known, accepted]`): values the vendor's base lists that the
 * overlay's known ones lack would only show as "accepted with a warning"; and a value the overlay
 * appends to an enum (`readonly`) that the vendor now lists too would appear twice. Each is named.
 */
export function overriddenValues(base: Json, spec: Json): string[] {
  const schemasOf = (doc: Json) =>
    ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  const baseSchemas = schemasOf(base);
  const notes: string[] = [];
  for (const [name, schema] of Object.entries(schemasOf(spec))) {
    // An overlay `update` appends to an enum: a value the vendor now lists too would appear twice.
    const values = Array.isArray(schema.enum) ? (schema.enum as unknown[]) : [];
    const twice = values.filter((v, i) => values.indexOf(v) !== i);
    if (twice.length > 0)
      notes.push(
        `${name}: the vendor now lists ${twice.join(', ')} too; remove it from overlay.yaml's update`,
      );
    const vendor = baseSchemas[name]?.enum;
    const known = (schema.anyOf as Json[] | undefined)?.[0]?.enum;
    if (schema['x-open'] !== true || !Array.isArray(vendor) || !Array.isArray(known)) continue;
    const missing = vendor.filter((v) => !known.includes(v));
    if (missing.length > 0)
      notes.push(`${name}: the vendor lists ${missing.join(', ')}, which overlay.yaml's known values lack`);
  }
  return notes;
}

/** Records a hand edit of connect-trade.json as overlay actions appended to overlay.yaml (comments kept). */
async function split(): Promise<void> {
  const document = parseDocument(readFileSync(OVERLAY, 'utf8'));
  const { spec: applied } = await applyOverlay(readJson(BASE), document.toJS() as Json);
  const actions = diffActions(applied, readJson(SPEC));
  if (actions.length === 0) {
    console.log('openapi/connect-trade.json has no edit the overlay lacks');
    return;
  }
  for (const action of actions) document.addIn(['actions'], document.createNode(action));
  const text = document.toString({ lineWidth: 0 });
  const { spec, unused } = await applyOverlay(readJson(BASE), parse(text) as Json);
  if (!same(sortKeys(spec), sortKeys(readJson(SPEC))) || unused.length > 0)
    throw new Error('the recorded actions do not reproduce openapi/connect-trade.json');
  writeFileSync(OVERLAY, text);
  write(SPEC, spec);
  console.log(
    `appended ${actions.length} action(s) to openapi/overlay.yaml; rewrote openapi/connect-trade.json`,
  );
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys(value[k])]),
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--split')) return split();
  const overlay = parse(readFileSync(OVERLAY, 'utf8')) as Json;
  if (args.includes('--check') || args.includes('--apply')) {
    const { spec, unused } = await applyOverlay(readJson(BASE), overlay);
    for (const target of unused) console.error(`overlay: action matches nothing in the base: ${target}`);
    if (args.includes('--apply')) {
      write(SPEC, spec);
      console.log('wrote openapi/connect-trade.json = base.json + overlay.yaml');
      if (unused.length > 0) process.exit(1);
      return;
    }
    if (!same(spec, readJson(SPEC)) || unused.length > 0) {
      console.error(
        'openapi/connect-trade.json is not openapi/base.json + openapi/overlay.yaml: edit the overlay (our ' +
          'additions) and run `npm run spec:overlay`, or record a hand edit with `tsx scripts/spec-overlay.ts --split`',
      );
      process.exit(1);
    }
    console.log('openapi/connect-trade.json = base.json + overlay.yaml');
    return;
  }
  const source = args.find((a) => !a.startsWith('--'));
  if (!source) {
    console.error('usage: npm run spec:update -- <vendor spec file or URL> [--no-diff]');
    process.exit(2);
  }
  const previous = join(ROOT, '.tmp', 'spec-before-update.json');
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  if (existsSync(SPEC)) writeFileSync(previous, readFileSync(SPEC));
  const base = await load(source);
  const { spec, unused } = await applyOverlay(base, overlay);
  write(BASE, base);
  write(SPEC, spec);
  for (const target of unused) console.warn(`overlay: target gone from the new base, re-check: ${target}`);
  for (const note of overriddenValues(base, spec)) console.warn(`overlay: ${note}`);
  execFileSync(
    process.execPath,
    [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/generate.ts'],
    {
      cwd: ROOT,
      stdio: 'inherit',
    },
  );
  if (!args.includes('--no-diff')) {
    try {
      execFileSync(
        process.execPath,
        [
          join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          'scripts/spec-diff.ts',
          previous,
          SPEC,
          '--report-only',
        ],
        { cwd: ROOT, stdio: 'inherit' },
      );
    } catch {
      console.warn('spec:diff could not run; compare the specs by hand');
    }
  }
  console.log(
    'Next: `npm run typecheck` shows where the SDK must change; commit base.json, connect-trade.json and generated/.',
  );
}

if (require.main === module)
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
