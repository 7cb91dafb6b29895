/**
 * Every property of every schema in the spec has a description of its own (`npm run lint:spec` runs
 * this; CI fails on a missing one). The API reference and editor hovers show a field's text from
 * here (scripts/models.ts): without one, a field shows nothing, or only its type's generic text
 * (every decimal the same). Add the description to `openapi/overlay.yaml`, then `npm run spec:overlay`.
 *
 *   tsx scripts/spec-descriptions.ts [spec.json]   (default: openapi/connect-trade.json)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Values, not schemas (`example`, `default`, ...), and conditions (`if`/`then`/`else`/`not`): their
 * `properties` constrain fields that the enclosing schema's own `properties` describe.
 */
const SKIP = new Set(['example', 'examples', 'default', 'enum', 'const', 'if', 'then', 'else', 'not']);

/** JSON paths of the schema properties without a non-empty description, anywhere in the document. */
export function missingDescriptions(document: unknown): string[] {
  const missing: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) {
      for (const [i, item] of node.entries()) walk(item, `${path}[${i}]`);
      return;
    }
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (SKIP.has(key)) continue;
      if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, property] of Object.entries(value)) {
          const where = `${path}.properties.${name}`;
          if (property === false) continue; // forbidden: nothing to describe
          const description = (property as { description?: unknown } | null)?.description;
          if (typeof description !== 'string' || description.trim() === '') missing.push(where);
          walk(property, where);
        }
        continue;
      }
      walk(value, `${path}.${key}`);
    }
  };
  walk(document, '$');
  return missing;
}

if (require.main === module) {
  const file = process.argv[2] ?? join(__dirname, '..', 'openapi', 'connect-trade.json');
  const missing = missingDescriptions(JSON.parse(readFileSync(file, 'utf8')));
  if (missing.length > 0) {
    console.error(
      `${missing.length} schema properties of ${file} have no description (add them to openapi/overlay.yaml):`,
    );
    for (const path of missing) console.error(`  ${path}`);
    process.exit(1);
  }
  console.log(`every schema property of ${file} has a description`);
}
