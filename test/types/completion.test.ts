/**
 * What an editor offers inside an order literal, asked of the TypeScript language service the
 * editors use. Inside a MKT literal the price fields must not be offered (the spec forbids them).
 */
import { resolve } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(__dirname, '../..');
// A virtual file next to the real typing tests, so imports resolve as they do for them.
const FILE = resolve(ROOT, 'test/types/__completion_probe.ts');

function languageService(text: string): ts.LanguageService {
  const config = ts.getParsedCommandLineOfConfigFile(
    resolve(ROOT, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.json could not be read');
  const read = (f: string) => (f === FILE ? text : ts.sys.readFile(f));
  return ts.createLanguageService({
    getScriptFileNames: () => [FILE],
    getScriptVersion: () => '1',
    getScriptSnapshot: (f) => {
      const t = read(f);
      return t === undefined ? undefined : ts.ScriptSnapshot.fromString(t);
    },
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => config.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (f) => f === FILE || ts.sys.fileExists(f),
    readFile: read,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  });
}

/** The property names offered at `|` inside the given OrderRequest literal fields. */
function offeredIn(fields: string): string[] {
  const source = `import type { OrderRequest } from '../../src/rest';
export const o: OrderRequest = { account_id: 'a', broker: 'ALPACA', side: 'BUY', order_tif: 'DAY', instrument: 'EQ', symbol: 'AAPL', order_qty: '1', ${fields} };
`;
  const text = source.replace('|', '');
  const service = languageService(text);
  const completions = service.getCompletionsAtPosition(FILE, source.indexOf('|'), {});
  service.dispose();
  return (completions?.entries ?? []).map((e) => e.name).sort();
}

describe('completion inside an order literal', () => {
  test('a MKT literal offers no price field', () => {
    const offered = offeredIn("order_type: 'MKT', |");
    expect(offered).toContain('cl_order_id');
    expect(offered).not.toContain('order_limit_price');
    expect(offered).not.toContain('stop_price');
  });

  test('each order type offers exactly the price fields it allows', () => {
    const prices = (type: string) =>
      offeredIn(`order_type: '${type}', |`).filter((n) => n === 'order_limit_price' || n === 'stop_price');
    expect(prices('LMT')).toEqual(['order_limit_price']);
    expect(prices('STP')).toEqual(['stop_price']);
    expect(prices('STPLMT')).toEqual(['order_limit_price', 'stop_price']);
  });
});
