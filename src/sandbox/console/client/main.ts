/**
 * The developer console in the browser: Preact + htm, uPlot for the price charts. Live data comes
 * from the sandbox's event stream (`/__sandbox/console/events`); controls POST JSON to
 * `/__sandbox/console/api/control`. Bundled by esbuild into console.js + console.css (../build.ts).
 */
import { html } from 'htm/preact';
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { ensureUsableLocale } from './locale-shim';
import 'uplot/dist/uPlot.min.css';
import './console.css';

type Row = Record<string, unknown>;
interface LoggedRequest {
  seq: number;
  at: string;
  requestId?: string;
  operationId: string;
  method: string;
  path: string;
  status: number;
  durationMs?: number;
  dropped: boolean;
  requestBody: unknown;
  responseBody: unknown;
  sdk?: string;
}
interface Frame {
  at: string;
  stream: string;
  direction: string;
  frame: unknown;
}
interface Sample {
  t: number;
  prices: Record<string, string>;
}
interface Entities {
  faults: Row[];
  users: Row[];
  connections: Row[];
  accounts: Row[];
  orders: Row[];
  positions: Row[];
}
interface State {
  info: Row;
  requests: LoggedRequest[];
  frames: Frame[];
  history: Sample[];
  entities: Entities;
}

const BASE = '/__sandbox/console';
const MAX = { requests: 200, frames: 100, history: 600 };

function capped<T>(list: T[], item: T, max: number): T[] {
  const next = [...list, item];
  return next.length > max ? next.slice(next.length - max) : next;
}

function useLive(): { state: State | undefined; live: boolean } {
  const [state, setState] = useState<State | undefined>(undefined);
  const [live, setLive] = useState(false);
  useEffect(() => {
    const source = new EventSource(`${BASE}/events`);
    const on = (event: string, apply: (s: State, data: never) => State) =>
      source.addEventListener(event, (e) => {
        const data = JSON.parse((e as MessageEvent<string>).data) as never;
        setState((s) => (s ? apply(s, data) : s));
      });
    source.addEventListener('hello', (e) => setState(JSON.parse((e as MessageEvent<string>).data) as State));
    on('request', (s, r: LoggedRequest) => ({ ...s, requests: capped(s.requests, r, MAX.requests) }));
    on('frame', (s, f: Frame) => ({ ...s, frames: capped(s.frames, f, MAX.frames) }));
    on('prices', (s, p: Sample) => ({ ...s, history: capped(s.history, p, MAX.history) }));
    on('entities', (s, entities: Entities) => ({ ...s, entities }));
    source.onopen = () => setLive(true);
    source.onerror = () => setLive(false);
    return () => source.close();
  }, []);
  return { state, live };
}

async function control(body: Row): Promise<string> {
  const response = await fetch(`${BASE}/api/control`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return response.ok ? `${String(body.action)}: done` : `${String(body.action)} failed: ${text}`;
}

const FAULTS: Record<string, { label: string; spec: Row }> = {
  fail503: { label: 'Fail the next request (503)', spec: { type: 'fail', status: 503, count: 1 } },
  fail429: {
    label: 'Rate-limit the next request (429)',
    spec: { type: 'fail', status: 429, count: 1, retry_after: 1 },
  },
  fail500: { label: 'Fail the next request (500)', spec: { type: 'fail', status: 500, count: 1 } },
  latency: { label: 'Delay the next request by 2 s', spec: { type: 'latency', ms: 2000, count: 1 } },
  drop_response: { label: 'Drop the next response (lost ack)', spec: { type: 'drop_response', count: 1 } },
  drop_streams: { label: 'Drop stream connections', spec: { type: 'drop_streams' } },
  stall_streams: { label: 'Stall streams for 5 s', spec: { type: 'stall_streams', ms: 5000 } },
  seq_gap: { label: 'Skip a brokerage seq number', spec: { type: 'seq_gap', skip: 1 } },
  expire_token: { label: 'Expire market-data tokens', spec: { type: 'expire_token' } },
};

function Controls({
  symbols,
  prices,
  faults,
}: {
  symbols: string[];
  prices: Record<string, string>;
  faults: Row[];
}) {
  const [fault, setFault] = useState('fail503');
  const [path, setPath] = useState('');
  const [symbol, setSymbol] = useState(symbols[0] ?? 'AAPL');
  const [price, setPrice] = useState('');
  const [ticks, setTicks] = useState('1');
  const [minutes, setMinutes] = useState('60');
  const [message, setMessage] = useState('');
  const run = (body: Row) => void control(body).then(setMessage, (e: Error) => setMessage(e.message));
  const move = (factor: number) => {
    const now = Number(prices[symbol]);
    if (Number.isFinite(now)) run({ action: 'price', symbol, price: (now * factor).toFixed(2) });
  };
  const spec = FAULTS[fault]?.spec ?? {};
  return html`<section class="panel" aria-labelledby="controls-h">
    <h2 id="controls-h">Controls</h2>
    <div class="row">
      <label for="fault">Fault</label>
      <select id="fault" value=${fault} onChange=${(e: Event) => setFault((e.target as HTMLSelectElement).value)}>
        ${Object.entries(FAULTS).map(([k, f]) => html`<option value=${k}>${f.label}</option>`)}
      </select>
      <label for="fault-path">Path (optional)</label>
      <input id="fault-path" placeholder="/orders" value=${path} onInput=${(e: Event) => setPath((e.target as HTMLInputElement).value)} />
      <button type="button" onClick=${() => run({ action: 'fault', fault: path ? { ...spec, path } : spec })}>Inject fault</button>
      <button type="button" class="secondary" onClick=${() => run({ action: 'clear_faults' })}>Clear faults</button>
    </div>
    <p class="muted">Queued faults: ${faults.length === 0 ? 'none' : faults.map((f) => JSON.stringify(f)).join(', ')}</p>
    <div class="row">
      <label for="symbol">Symbol</label>
      <select id="symbol" value=${symbol} onChange=${(e: Event) => setSymbol((e.target as HTMLSelectElement).value)}>
        ${symbols.map((s) => html`<option value=${s}>${s}</option>`)}
      </select>
      <label for="price">Price</label>
      <input id="price" inputmode="decimal" size="8" placeholder=${prices[symbol] ?? ''} value=${price} onInput=${(e: Event) => setPrice((e.target as HTMLInputElement).value)} />
      <button type="button" onClick=${() => price && run({ action: 'price', symbol, price })}>Set price</button>
      <button type="button" class="secondary" onClick=${() => move(1.01)}>+1 %</button>
      <button type="button" class="secondary" onClick=${() => move(0.99)}>−1 %</button>
    </div>
    <div class="row">
      <label for="ticks">Ticks</label>
      <input id="ticks" inputmode="numeric" size="4" value=${ticks} onInput=${(e: Event) => setTicks((e.target as HTMLInputElement).value)} />
      <button type="button" onClick=${() => run({ action: 'tick', count: Number(ticks) || 1 })}>Tick</button>
      <label for="minutes">Minutes</label>
      <input id="minutes" inputmode="numeric" size="5" value=${minutes} onInput=${(e: Event) => setMinutes((e.target as HTMLInputElement).value)} />
      <button type="button" onClick=${() => run({ action: 'advance_clock', ms: (Number(minutes) || 0) * 60_000 })}>Advance clock</button>
      <button type="button" class="secondary" onClick=${() => run({ action: 'close_session' })}>Close session</button>
      <button type="button" class="danger" onClick=${() => confirm('Forget every user, connection, order and fault?') && run({ action: 'reset' })}>Reset</button>
    </div>
    <p role="status" class="muted">${message}</p>
  </section>`;
}

function json(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value, null, 2);
}

function Requests({ requests }: { requests: LoggedRequest[] }) {
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const [copied, setCopied] = useState('');
  const shown = [...requests].reverse().slice(0, 100);
  const chosen = requests.find((r) => r.seq === selected);
  const copy = (text: string) => {
    setCopied('Copied to the clipboard.');
    navigator.clipboard?.writeText(text).catch(() => setCopied('Select the code above and copy it.'));
  };
  return html`<section class="panel wide" aria-labelledby="requests-h">
    <h2 id="requests-h">REST requests <span class="count">${requests.length}</span></h2>
    <div class="scroll" tabindex="0">
      <table>
        <thead><tr><th scope="col">Method</th><th scope="col">Path</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Request id</th></tr></thead>
        <tbody>
          ${shown.map(
            (r) => html`<tr key=${r.seq} class=${r.seq === selected ? 'selected' : ''}>
              <td>${r.method}</td>
              <td><button type="button" class="link" aria-expanded=${r.seq === selected} onClick=${() => setSelected(r.seq === selected ? undefined : r.seq)}>${r.path}</button></td>
              <td class=${r.status >= 400 ? 'bad' : 'good'}>${r.dropped ? 'dropped' : r.status}</td>
              <td>${r.durationMs === undefined ? '' : `${r.durationMs} ms`}</td>
              <td><code>${r.requestId ?? ''}</code></td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      chosen &&
      html`<div class="detail" aria-label="Request details">
        <h3>${chosen.method} ${chosen.path} → ${chosen.status} <span class="muted">(${chosen.operationId})</span></h3>
        <div class="bodies">
          <div><h4>Request body</h4><pre>${json(chosen.requestBody)}</pre></div>
          <div><h4>Response body</h4><pre>${json(chosen.responseBody)}</pre></div>
        </div>
        ${
          chosen.sdk &&
          html`<h4>SDK call</h4><pre class="sdk">${chosen.sdk}</pre>
            <button type="button" onClick=${() => copy(chosen.sdk ?? '')}>Copy as SDK call</button>
            <span role="status" class="muted">${copied}</span>`
        }
      </div>`
    }
  </section>`;
}

function Frames({ frames }: { frames: Frame[] }) {
  return html`<section class="panel" aria-labelledby="frames-h">
    <h2 id="frames-h">Stream frames <span class="count">${frames.length}</span></h2>
    <ol class="frames scroll" tabindex="0" reversed>
      ${[...frames]
        .reverse()
        .slice(0, 50)
        .map((f) => {
          const body = f.frame as Row;
          const kind = String(body?.action ?? body?.type ?? body?.event ?? '');
          return html`<li><span class="tag">${f.stream === 'brokerage' ? 'brokerage' : 'market data'}</span> ${f.direction === 'in' ? '→' : '←'} <strong>${kind}</strong> <code>${JSON.stringify(body).slice(0, 140)}</code></li>`;
        })}
    </ol>
  </section>`;
}

function Table({ rows, label }: { rows: Row[]; label: string }) {
  if (rows.length === 0) return html`<p class="muted">No ${label.toLowerCase()} yet.</p>`;
  const columns = Object.keys(rows[0] ?? {});
  return html`<div class="scroll" tabindex="0"><table aria-label=${label}>
    <thead><tr>${columns.map((c) => html`<th scope="col">${c}</th>`)}</tr></thead>
    <tbody>${rows.map((r) => html`<tr>${columns.map((c) => html`<td>${String(r[c] ?? '')}</td>`)}</tr>`)}</tbody>
  </table></div>`;
}

const TABS = ['users', 'connections', 'accounts', 'orders', 'positions'] as const;

function EntitiesPanel({ entities }: { entities: Entities }) {
  const [tab, setTab] = useState<(typeof TABS)[number]>('connections');
  return html`<section class="panel wide" aria-labelledby="entities-h">
    <h2 id="entities-h">State</h2>
    <div role="tablist" aria-label="Entities">
      ${TABS.map(
        (t) =>
          html`<button type="button" role="tab" id=${`tab-${t}`} aria-controls="entity-panel" aria-selected=${t === tab} class=${t === tab ? 'tab active' : 'tab'} onClick=${() => setTab(t)}>${t} (${entities[t].length})</button>`,
      )}
    </div>
    <div role="tabpanel" id="entity-panel" aria-labelledby=${`tab-${tab}`}>
      <${Table} rows=${entities[tab]} label=${tab[0]?.toUpperCase() + tab.slice(1)} />
    </div>
  </section>`;
}

let loadingUPlot: Promise<typeof uPlot> | undefined;
/** uPlot, evaluated on first use (after the locale check: it reads navigator.language when it loads). */
function loadUPlot(): Promise<typeof uPlot> {
  ensureUsableLocale();
  loadingUPlot ??= import('uplot').then((m) => m.default);
  return loadingUPlot;
}

function Chart({ symbol, history }: { symbol: string; history: Sample[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const data: uPlot.AlignedData = [
    history.map((s) => s.t / 1000),
    history.map((s) => (s.prices[symbol] === undefined ? null : Number(s.prices[symbol]))),
  ];
  useEffect(() => {
    let gone = false;
    void loadUPlot().then((UPlot) => {
      if (gone || !box.current) return;
      plot.current = new UPlot(
        {
          width: 300,
          height: 120,
          legend: { show: false },
          cursor: { show: false },
          axes: [{ show: false }, { size: 52, font: '11px system-ui' }],
          series: [{}, { stroke: '#1d4ed8', width: 1.5 }],
          scales: { x: { time: true } },
        },
        data,
        box.current,
      );
    });
    return () => {
      gone = true;
      plot.current?.destroy();
    };
  }, []);
  useEffect(() => {
    plot.current?.setData(data);
  });
  const last = history[history.length - 1]?.prices[symbol];
  return html`<figure class="chart"><figcaption><strong>${symbol}</strong> ${last ?? ''}</figcaption><div ref=${box} role="img" aria-label=${`${symbol} price chart, last ${last ?? 'unknown'}`}></div></figure>`;
}

function App() {
  const { state, live } = useLive();
  if (!state) return html`<main><h1>Developer console</h1><p>Connecting to the sandbox…</p></main>`;
  const symbols = (state.info.symbols as string[] | undefined) ?? [];
  const prices = state.history[state.history.length - 1]?.prices ?? {};
  return html`<header class="top">
      <h1>Connect Trade sandbox · Developer console</h1>
      <span class=${live ? 'live on' : 'live'} role="status">${live ? 'Live' : 'Reconnecting…'}</span>
      <span class="url">${String(state.info.url ?? '')}</span>
    </header>
    <main class="grid">
      <${Controls} symbols=${symbols} prices=${prices} faults=${state.entities.faults} />
      <${Requests} requests=${state.requests} />
      <${EntitiesPanel} entities=${state.entities} />
      <${Frames} frames=${state.frames} />
      <section class="panel wide" aria-labelledby="prices-h">
        <h2 id="prices-h">Prices</h2>
        <div class="charts">${symbols.map((s) => html`<${Chart} key=${s} symbol=${s} history=${state.history} />`)}</div>
      </section>
    </main>`;
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(html`<${App} />`, root);
}
