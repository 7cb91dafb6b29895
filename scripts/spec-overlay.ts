/**
 * The spec as the vendor's base plus OUR additions in an OpenAPI Overlay 1.0 (`openapi/overlay.yaml`),
 * applied by a maintained library (`openapi-format`'s overlay support), not by hand.
 *
 *   npm run spec:update -- <file-or-url>   replace the base with the vendor's document, reapply the
 *                                          overlay, write openapi/connect-trade.json, regenerate, and
 *                                          print spec:diff old → new
 *   tsx scripts/spec-overlay.ts --split    (once) derive base.json + overlay.yaml from connect-trade.json
 *   tsx scripts/spec-overlay.ts --check    exit 1 unless base + overlay == connect-trade.json
 *
 * The overlay holds our marks (`x-source`, `x-open`, `x-open-pattern`). Actions whose target the new
 * base no longer has are listed: each is a place where our knowledge must be re-checked.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openapiOverlay } from 'openapi-format';
import { parse, stringify } from 'yaml';

const ROOT = resolve(__dirname, '..');
const SPEC = join(ROOT, 'openapi', 'connect-trade.json');
const BASE = join(ROOT, 'openapi', 'base.json');
const OVERLAY = join(ROOT, 'openapi', 'overlay.yaml');

type Json = Record<string, unknown>;
const path = (keys: string[]) => `$${keys.map((k) => `['${k.replace(/'/g, "\\'")}']`).join('')}`;

/** Splits a document into its base (no `x-` keys) and the overlay actions that put them back. */
function split(spec: Json): { base: Json; overlay: Json } {
  const actions: { target: string; update: Json }[] = [];
  const strip = (node: unknown, keys: string[]): unknown => {
    if (Array.isArray(node)) return node.map((v, i) => strip(v, [...keys, String(i)]));
    if (typeof node !== 'object' || node === null) return node;
    const marks = Object.entries(node).filter(([k]) => k.startsWith('x-'));
    if (marks.length > 0 && keys.length > 0)
      actions.push({ target: path(keys), update: Object.fromEntries(marks) });
    return Object.fromEntries(
      Object.entries(node)
        .filter(([k]) => !k.startsWith('x-') || keys.length === 0)
        .map(([k, v]) => [k, strip(v, [...keys, k])]),
    );
  };
  const base = strip(spec, []) as Json;
  return {
    base,
    overlay: {
      overlay: '1.0.0',
      info: { title: 'connect-trade additions to the vendor spec', version: '1.0.0' },
      actions,
    },
  };
}

async function apply(base: Json, overlay: Json): Promise<{ spec: Json; unused: string[] }> {
  const result = (await openapiOverlay(structuredClone(base), { overlaySet: overlay as never })) as {
    data: Json;
    resultData: { unusedActions: { target: string }[] };
  };
  return { spec: result.data, unused: result.resultData.unusedActions.map((a) => a.target) };
}

const write = (file: string, value: Json) => writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json;

async function load(source: string): Promise<Json> {
  if (/^https?:\/\//.test(source)) {
    const response = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`${source}: HTTP ${response.status}`);
    const text = await response.text();
    return (text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text)) as Json;
  }
  const text = readFileSync(resolve(source), 'utf8');
  return (text.trimStart().startsWith('{') ? JSON.parse(text) : parse(text)) as Json;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--split')) {
    const { base, overlay } = split(readJson(SPEC));
    write(BASE, base);
    writeFileSync(OVERLAY, stringify(overlay, { lineWidth: 0 }));
    const { spec } = await apply(base, overlay);
    write(SPEC, spec);
    console.log(
      `wrote openapi/base.json, openapi/overlay.yaml (${(overlay.actions as unknown[]).length} actions)`,
    );
    return;
  }
  const overlay = parse(readFileSync(OVERLAY, 'utf8')) as Json;
  if (args.includes('--check')) {
    const { spec, unused } = await apply(readJson(BASE), overlay);
    if (JSON.stringify(spec) !== JSON.stringify(readJson(SPEC)) || unused.length > 0) {
      console.error('openapi/connect-trade.json is not openapi/base.json + openapi/overlay.yaml');
      process.exit(1);
    }
    console.log('openapi/connect-trade.json = base.json + overlay.yaml');
    return;
  }
  const source = args.find((a) => !a.startsWith('--'));
  if (!source) {
    console.error('usage: npm run spec:update -- <vendor spec file or URL>');
    process.exit(2);
  }
  const previous = join(ROOT, '.tmp', 'spec-before-update.json');
  execFileSync('mkdir', ['-p', join(ROOT, '.tmp')]);
  if (existsSync(SPEC)) writeFileSync(previous, readFileSync(SPEC));
  const base = await load(source);
  const { spec, unused } = await apply(base, overlay);
  write(BASE, base);
  write(SPEC, spec);
  for (const target of unused) console.warn(`overlay: target gone from the new base, re-check: ${target}`);
  execFileSync('npx', ['tsx', 'scripts/generate.ts'], { cwd: ROOT, stdio: 'inherit' });
  try {
    execFileSync('npx', ['tsx', 'scripts/spec-diff.ts', previous, SPEC, '--report-only'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  } catch {
    console.warn('spec:diff could not run; compare the specs by hand');
  }
  console.log(
    'Next: npm run typecheck shows where the SDK must change; npm run generate -- --check is now current.',
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
