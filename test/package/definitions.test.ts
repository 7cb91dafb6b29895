/**
 * What an editor shows for the spec's models in the PACKED package: go-to-definition on `Order`
 * lands in `dist/spec-models.d.ts` (not a hashed chunk), hovers name the model and its fields carry the
 * spec's descriptions, and the order input shows its own name instead of generated plumbing.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { preparePackage } from './consumer';

let consumer = '';
beforeAll(async () => {
  consumer = await preparePackage();
}, 240_000);

function service(text: string, file: string): ts.LanguageService {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: false,
  };
  const read = (f: string) => (f === file ? text : ts.sys.readFile(f));
  return ts.createLanguageService({
    getScriptFileNames: () => [file],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => {
      const t = read(f);
      return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
    },
    getCurrentDirectory: () => consumer,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === file || ts.sys.fileExists(f),
    readFile: read,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
}

test('models: definition in dist/spec-models.d.ts, named hovers, documented decimal fields', () => {
  const file = join(consumer, 'probe.mts');
  const text = `import type { Order, OrderRequest } from 'connect-trade';
declare const order: Order;
declare const input: OrderRequest;
export const qty = order.order_qty;
export { input };
`;
  const ls = service(text, file);
  try {
    const at = (needle: string) => text.indexOf(needle);
    const defs = ls.getDefinitionAtPosition(file, at('Order,') + 1) ?? [];
    expect(defs.map((d) => d.fileName.replace(/\\/g, '/'))).toEqual([
      expect.stringMatching(/node_modules\/connect-trade\/dist\/spec-models\.d\.mts$/),
    ]);

    const hover = (needle: string, offset = 0) => {
      const info = ls.getQuickInfoAtPosition(file, at(needle) + offset);
      return {
        text: ts.displayPartsToString(info?.displayParts),
        doc: ts.displayPartsToString(info?.documentation),
      };
    };
    expect(hover('order:').text).toBe('const order: Order');
    expect(hover('input:').text).toBe('const input: OrderRequest');
    const field = hover('order_qty;');
    expect(field.text).toMatch(/order_qty\?: string/);
    expect(field.doc).toMatch(/decimal \*?string/i);
    expect(ls.getSemanticDiagnostics(file).map((d) => d.messageText)).toEqual([]);
  } finally {
    ls.dispose();
  }
}, 60_000);
