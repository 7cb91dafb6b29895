/**
 * `npm run spec:diff -- <old> <new>`: every change between two versions of the spec, classified
 * breaking or non-breaking FOR USERS OF THIS SDK. `@useoptic/optic` finds the changes (offline;
 * `--validation loose` because the spec is OpenAPI 3.1 with `false` schemas); the ruleset below
 * classifies them by our tolerant-reader contract, which differs from optic's built-in one: a new
 * response enum value or a new response field is not breaking (the reader lets unknown values and
 * fields through), while anything that can make a request we send invalid is.
 *
 * Exit code: 0 when nothing is breaking, 1 when something is (`--report-only`: always 0, for CI
 * logs), 2 when optic itself fails. `--json` prints the classified list instead of text.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

interface Attribute {
  key: string;
  change: 'added' | 'removed' | 'changed';
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}
interface Node {
  name: string;
  change: 'added' | 'removed' | 'changed' | null;
  attributes?: Attribute[];
  contentTypes?: Node[];
  parameters?: Node[];
  requestBody?: Node;
  responses?: Node[];
  headers?: Node[];
}
export interface ClassifiedChange {
  operation: string;
  where: string;
  change: string;
  breaking: boolean;
  why: string;
}

const ROOT = resolve(__dirname, '..');
const OPTIC = join(ROOT, 'node_modules', '.bin', 'optic');

const ANNOTATIONS = new Set(['description', 'summary', 'title', 'example', 'examples', 'deprecated']);
/** Schema keywords that only narrow: removing one from a request schema loosens it. */
const LOOSENED = new Set([
  'enum',
  'const',
  'pattern',
  'format',
  'type',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'uniqueItems',
]);
const values = (a: Record<string, unknown> | undefined) =>
  Array.isArray(a?.enum) ? (a.enum as unknown[]) : undefined;

/** The tolerant-reader ruleset: one attribute change, in a request or in a response. */
function classify(
  side: 'request' | 'response',
  a: Attribute,
): { breaking: boolean; why: string; change: string } {
  const field = a.key.replace(/^\/schema/, '') || '(body)';
  if (a.change === 'added') {
    const required = a.after?.required === true;
    if (side === 'request')
      return required
        ? {
            breaking: true,
            change: `${field} added (required)`,
            why: 'requests the SDK builds today lack it',
          }
        : { breaking: false, change: `${field} added (optional)`, why: 'an optional request field' };
    return { breaking: false, change: `${field} added`, why: 'the reader passes unknown fields through' };
  }
  const keyword = a.key.split('/').pop() ?? '';
  // A request constraint that goes (an enum or pattern opened up, issue 14's open values) accepts
  // every request it accepted before.
  if (a.change === 'removed' && side === 'request' && LOOSENED.has(keyword))
    return {
      breaking: false,
      change: `${field} removed`,
      why: 'a looser request: what the SDK sends stays valid',
    };
  if (a.change === 'removed')
    return side === 'request'
      ? { breaking: true, change: `${field} removed`, why: 'the SDK may still send it' }
      : { breaking: true, change: `${field} removed`, why: 'users may read it' };
  const last = a.key.split('/').pop() ?? '';
  if (ANNOTATIONS.has(last) || last.startsWith('x-'))
    return { breaking: false, change: `${field} changed`, why: 'documentation only' };
  const before = values(a.before);
  const after = values(a.after);
  if (before && after) {
    const added = after.filter((v) => !before.includes(v));
    const removed = before.filter((v) => !after.includes(v));
    const change = [
      added.length > 0 ? `enum +${added.join(',')}` : '',
      removed.length > 0 ? `enum -${removed.join(',')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    if (side === 'request')
      return removed.length > 0
        ? { breaking: true, change: `${field} ${change}`, why: 'a value the SDK accepts is no longer valid' }
        : { breaking: false, change: `${field} ${change}`, why: 'more request values' };
    return added.length > 0 && removed.length === 0
      ? {
          breaking: false,
          change: `${field} ${change}`,
          why: 'tolerant reader: new enum values pass through',
        }
      : {
          breaking: false,
          change: `${field} ${change}`,
          why: 'fewer response values: every one is still read',
        };
  }
  // Descriptions, examples and `x-` marks carry no contract.
  const differing = [...new Set([...Object.keys(a.before ?? {}), ...Object.keys(a.after ?? {})])].filter(
    (k) => JSON.stringify(a.before?.[k]) !== JSON.stringify(a.after?.[k]),
  );
  if (differing.every((k) => ANNOTATIONS.has(k) || k.startsWith('x-')))
    return { breaking: false, change: `${field} ${differing.join(', ')} changed`, why: 'documentation only' };
  const wasRequired = a.before?.required === true;
  const isRequired = a.after?.required === true;
  if (side === 'response' && wasRequired && a.after?.required === false)
    return { breaking: true, change: `${field} became optional`, why: 'users may rely on it being present' };
  if (side === 'request' && !wasRequired && isRequired)
    return {
      breaking: true,
      change: `${field} became required`,
      why: 'requests the SDK builds today may lack it',
    };
  const brief = (v: unknown) => {
    const text = JSON.stringify(v) ?? 'nothing';
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  };
  return {
    breaking: true,
    change: `${field} changed ${brief(a.before)} → ${brief(a.after)}`,
    why: 'a changed type or constraint',
  };
}

function walk(
  node: Node | undefined,
  side: 'request' | 'response',
  where: string,
  operation: string,
  out: ClassifiedChange[],
) {
  if (!node) return;
  for (const a of node.attributes ?? []) out.push({ operation, where, ...classify(side, a) });
  for (const c of node.contentTypes ?? []) walk(c, side, where, operation, out);
  for (const h of node.headers ?? []) walk(h, side, `${where} header ${h.name}`, operation, out);
}

export function classifyChangelog(operations: Node[]): ClassifiedChange[] {
  const out: ClassifiedChange[] = [];
  for (const op of operations) {
    if (op.change === 'added') {
      out.push({
        operation: op.name,
        where: 'operation',
        change: 'added',
        breaking: false,
        why: 'a new operation',
      });
      continue;
    }
    if (op.change === 'removed') {
      out.push({
        operation: op.name,
        where: 'operation',
        change: 'removed',
        breaking: true,
        why: 'the SDK calls it',
      });
      continue;
    }
    for (const p of op.parameters ?? []) {
      if (p.change === 'added' || p.change === 'removed')
        out.push({
          operation: op.name,
          where: p.name,
          change: `parameter ${p.change}`,
          breaking: p.change === 'removed',
          why: p.change === 'removed' ? 'the SDK may still send it' : 'a new parameter',
        });
      else walk(p, 'request', p.name, op.name, out);
    }
    walk(op.requestBody, 'request', 'request body', op.name, out);
    for (const r of op.responses ?? []) walk(r, 'response', r.name, op.name, out);
  }
  return out;
}

function optic(oldSpec: string, newSpec: string): Node[] {
  const text = execFileSync(OPTIC, ['diff', oldSpec, newSpec, '--check', '--validation', 'loose', '--json'], {
    encoding: 'utf8',
    // optic exits non-zero when ITS ruleset finds breaking changes; ours decides instead.
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  }).toString();
  return (JSON.parse(text) as { operations: Node[] }).operations;
}

function opticChangelog(oldSpec: string, newSpec: string): Node[] {
  try {
    return optic(oldSpec, newSpec);
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout;
    if (stdout?.trim().startsWith('{')) return (JSON.parse(stdout) as { operations: Node[] }).operations;
    throw error;
  }
}

/** A spec given as a path, `-` (stdin is not supported: use a file) or a git object (`git:<rev>:<path>`). */
function materialize(arg: string): string {
  if (!arg.startsWith('git:')) return resolve(arg);
  const [, rev, path] = /^git:([^:]+):(.+)$/.exec(arg) ?? [];
  const text = execFileSync('git', ['show', `${rev}:${path}`], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const file = join(mkdtempSync(join(tmpdir(), 'ct-spec-diff-')), 'spec.json');
  writeFileSync(file, text);
  return file;
}

function main(): void {
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length !== 2) {
    console.error(
      'usage: npm run spec:diff -- <old spec | git:<rev>:<path>> <new spec> [--json] [--report-only]',
    );
    process.exit(2);
  }
  const [oldSpec, newSpec] = files.map(materialize) as [string, string];
  let changes: ClassifiedChange[];
  try {
    changes = classifyChangelog(opticChangelog(oldSpec, newSpec));
  } catch (error) {
    console.error(`optic failed: ${(error as Error).message}`);
    process.exit(2);
  }
  const breaking = changes.filter((c) => c.breaking);
  if (args.includes('--json')) console.log(JSON.stringify(changes, null, 2));
  else {
    console.log(
      `spec:diff ${files[0]} → ${files[1]}: ${changes.length} changes, ${breaking.length} breaking for SDK users`,
    );
    for (const c of changes)
      console.log(
        `  ${c.breaking ? 'BREAKING    ' : 'non-breaking'}  ${c.operation}  ${c.where}: ${c.change}  (${c.why})`,
      );
  }
  if (breaking.length > 0 && !args.includes('--report-only')) process.exit(1);
}

if (require.main === module) main();
