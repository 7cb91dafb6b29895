/**
 * The packed package type-checks with 0 errors in every consumer setup people use: CommonJS +
 * node16, ESM + NodeNext (exactly `tsc --init`'s defaults), ESM + bundler and `module: preserve`,
 * each with `skipLibCheck` false (the shipped .d.ts/.d.mts are checked too) and true. Each setup
 * compiles the same sources: typed stream events on BrokerageStream, MarketDataStream and
 * MarketDataSubscription (lost under NodeNext once), and every TypeScript block of the README and of the guides in docs/guides/.
 *
 * One `npm pack` (test/package/consumer.ts), resolved through the repository's node_modules; the
 * eight `tsc` runs go side by side.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { preparePackage, ROOT } from './consumer';

jest.setTimeout(300_000);

/**
 * `tsc --init` (TypeScript 5.9) with the options that only matter for emitting left out, and
 * `types: ['node']` as its comment says to set for a Node app (the README snippets use `process`).
 */
const TSC_INIT = {
  module: 'nodenext',
  target: 'esnext',
  types: ['node'],
  noUncheckedIndexedAccess: true,
  exactOptionalPropertyTypes: true,
  strict: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  noUncheckedSideEffectImports: true,
  moduleDetection: 'force',
  skipLibCheck: true,
};
const STRICT = { strict: true, target: 'es2022', types: ['node'] };

const SETUPS: { name: string; type: 'module' | 'commonjs'; options: Record<string, unknown> }[] = [
  {
    name: 'cjs-node16',
    type: 'commonjs',
    options: { ...STRICT, module: 'node16', moduleResolution: 'node16' },
  },
  { name: 'esm-nodenext', type: 'module', options: TSC_INIT },
  {
    name: 'esm-bundler',
    type: 'module',
    options: { ...STRICT, module: 'esnext', moduleResolution: 'bundler' },
  },
  { name: 'preserve', type: 'module', options: { ...STRICT, module: 'preserve' } },
];

/** Every event of every emitter is typed: listener arguments, and unknown event names refused. */
const EVENTS = `
import { ConnectTrade, type BrokerageStream, type MarketDataStream, type OrderStatus } from 'connect-trade';
import type { MarketDataSubscription } from 'connect-trade/streams';

export function typedEvents(stream: BrokerageStream, md: MarketDataStream, quotes: MarketDataSubscription<'quotes'>): void {
  stream.on('order_update', (order, meta) => {
    const status: OrderStatus = order.status;
    const seq: number = meta.seq;
    void [status, seq];
  });
  stream.once('position_update', (position) => void position.symbol.toUpperCase());
  stream.on('gap', (gap) => void gap);
  // @ts-expect-error: not an event of the brokerage stream
  stream.on('order_updated', () => {});
  // @ts-expect-error: an order is not a string
  stream.on('order_update', (order: string) => void order);
  md.on('reconnected', () => {});
  md.on('error', (error) => void error.message);
  // @ts-expect-error: not an event of the market-data stream
  md.on('quote', () => {});
  quotes.on('data', (quote) => {
    const bid: string | undefined = quote.bid;
    void bid;
  });
  // @ts-expect-error: not an event of a subscription
  quotes.on('quote', () => {});
}

export const make = () => new ConnectTrade({ clientId: 'c', clientSecret: 's' }).stream();
`;

/**
 * What the README's snippets take from the surrounding app. A new free name in a README block
 * belongs here, typed as the app would have it.
 */
const README_GLOBALS = `
import type { ConnectTrade, ConnectTradeUser, Logger, UserCredentials } from 'connect-trade';
import type { Sandbox } from 'connect-trade/sandbox';
declare global {
  const ct: ConnectTrade;
  const user: UserCredentials;
  const url: string;
  function bookOnce(key: string, update: unknown): Promise<void>;
  const clientId: string, clientSecret: string, baseUrl: string, streamUrl: string, marketDataUrl: string;
  const logger: Logger;
  const vault: { get(id: string): Promise<string> };
  /** An Express-like app of the platform. */
  const app: {
    get(
      path: string,
      handler: (req: { user: { id: string }; url: string }, res: { json(body: unknown): void }) => Promise<void>,
    ): void;
  };
  // The guides' names (docs/guides/linking-a-broker.md).
  function redirectBrowser(url: string): void;
  function saveConnection(state: string | null, connectionId: string): void;
  function showLinkFailure(reason: string): void;
  const linkOrigin: string;
  const sandbox: Sandbox;
  const link: { authorization_url: string }, other: { authorization_url: string };
  const third: { authorization_url: string }, fourth: { authorization_url: string };
  interface GuideLocator {
    click(): Promise<void>;
    fill(value: string): Promise<void>;
  }
  /** A Playwright page, as much of it as the guides use. */
  const page: {
    goto(url: string): Promise<unknown>;
    getByRole(role: string, options: { name: string }): GuideLocator;
    getByLabel(label: string): GuideLocator;
    waitForURL(match: (url: URL) => boolean): Promise<void>;
  };
  const appOrigin: string;
  const u: ConnectTradeUser;
  const userId: string, userSecret: string;
  const connectionId: string, connection_id: string, accountId: string, account_id: string, orderId: string;
  const broker: 'ALPACA';
  const request: Parameters<ConnectTradeUser['orders']['submitAndWait']>[0];
  const order: Parameters<ConnectTradeUser['orders']['create']>[0];
  const signal: AbortSignal;
  function resync(gap: unknown): void;
  function log(error: unknown): void;
  function handle(update: unknown): void;
  function render(value: unknown): void;
}
export {};
`;

/** The README's TypeScript blocks, each a module: imports hoisted, the rest in an async function. */
function readmeSnippets(markdown: string, prefix = 'readme'): { name: string; source: string }[] {
  const blocks = [...markdown.matchAll(/^```(?:ts|typescript)\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? '');
  return blocks.map((block, i) => {
    const lines = block.split('\n');
    const imports = lines.filter((l) => /^import\s/.test(l));
    const body = lines.filter((l) => !/^import\s/.test(l));
    const usesClient = /\bConnectTrade\b/.test(body.join('\n'));
    if (usesClient && !imports.some((l) => /\bConnectTrade\b/.test(l)))
      imports.unshift("import { ConnectTrade } from 'connect-trade';");
    const source = `${imports.join('\n')}\nexport async function snippet(): Promise<void> {\n${body.join('\n')}\n}\n`;
    return { name: `${prefix}-${i + 1}.ts`, source };
  });
}

interface Result {
  code: number;
  output: string;
}

let results: Map<string, Promise<Result>>;

beforeAll(async () => {
  const consumer = await preparePackage();
  const root = join(consumer, 'matrix');
  rmSync(root, { recursive: true, force: true });
  // The README is a front page; most code lives in the guides, which users paste from just as much.
  const guides = join(ROOT, 'docs', 'guides');
  const snippets = [
    ...readmeSnippets(readFileSync(join(ROOT, 'README.md'), 'utf8')),
    ...readdirSync(guides)
      .filter((file) => file.endsWith('.md'))
      .sort()
      .flatMap((file) => readmeSnippets(readFileSync(join(guides, file), 'utf8'), file.replace(/\.md$/, ''))),
  ];
  expect(snippets.length).toBeGreaterThanOrEqual(4);
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const files = ['events.ts', 'readme-globals.ts', ...snippets.map((s) => s.name)];
  const runs: [string, string][] = [];
  for (const setup of SETUPS) {
    const dir = join(root, setup.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: setup.name, private: true, type: setup.type }),
    );
    writeFileSync(join(dir, 'events.ts'), EVENTS);
    writeFileSync(join(dir, 'readme-globals.ts'), README_GLOBALS);
    for (const snippet of snippets) writeFileSync(join(dir, snippet.name), snippet.source);
    for (const skipLibCheck of [false, true]) {
      const config = `tsconfig.skipLibCheck-${skipLibCheck}.json`;
      writeFileSync(
        join(dir, config),
        JSON.stringify({ compilerOptions: { ...setup.options, skipLibCheck, noEmit: true }, files }, null, 2),
      );
      runs.push([`${setup.name} skipLibCheck:${skipLibCheck}`, join(dir, config)]);
    }
  }
  // All at once: tsc is mostly single-threaded, and the runs share nothing.
  results = new Map(
    runs.map(([name, config]) => [
      name,
      new Promise<Result>((resolve) =>
        execFile(
          process.execPath,
          [tsc, '-p', config, '--pretty', 'false'],
          { cwd: root },
          (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}`.trim() }),
        ),
      ),
    ]),
  );
});

describe.each(SETUPS.map((s) => s.name))('%s', (setup) => {
  it.each([false, true])('skipLibCheck: %s → 0 errors', async (skipLibCheck) => {
    const result = await results.get(`${setup} skipLibCheck:${skipLibCheck}`);
    // The diagnostics themselves are the useful failure message.
    expect(result?.output).toBe('');
    expect(result?.code).toBe(0);
  });
});

it('extracts every TypeScript block of the README (imports hoisted, body wrapped)', () => {
  const snippets = readmeSnippets(
    "# x\n```ts\nimport { a } from 'b';\nconst ct = new ConnectTrade();\n```\n```sh\nls\n```\n",
  );
  expect(snippets).toEqual([
    {
      name: 'readme-1.ts',
      source:
        "import { ConnectTrade } from 'connect-trade';\nimport { a } from 'b';\nexport async function snippet(): Promise<void> {\nconst ct = new ConnectTrade();\n\n}\n",
    },
  ]);
});
