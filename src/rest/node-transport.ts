/**
 * Node transports. Only imported in Node (see transport.ts), and only on the first request.
 *
 * The default is `node:http`/`node:https` on a keep-alive `Agent`: built into Node, and Node's
 * agent unrefs idle keep-alive sockets, so a process whose work is done exits at once. Origins are
 * parsed once and the header list is built once per client (why, measured: bench/README.md, "REST").
 *
 * {@link dispatcherTransport} is the seam for an undici `Dispatcher` (a proxy agent, a mock, a
 * custom pool): undici's fetch through it, under the same fetch transport as a user's fetch.
 */
import http from 'node:http';
import type https from 'node:https';
import type { Dispatcher } from 'undici';
import { type Clock, systemClock } from '../core/clock';
import { restErrorFactory as errorFactory } from '../core/errors';
import type { FetchTransport, Transport, WireRequest, WireResponse } from './wire';

// Idle keep-alive sockets are closed after this long: below the 5 s keep-alive of Node servers
// and common proxies, so a request is not sent on a socket the server is closing.
const IDLE_SOCKET_MS = 4_000;

interface Origin {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number | undefined;
  /** The `Host` header: host and non-default port, without user info. */
  readonly host: string;
}

const ORIGIN = /^(https?:\/\/[^/?#]+)(.*)$/i;

/**
 * `scheme://host[:port]` → its parts, parsed once per origin. The last origin is checked with
 * `startsWith` before the regular expression: every URL of a client starts with its base URL.
 */
function originCache(): (url: string) => { origin: Origin; path: string } {
  const cache = new Map<string, Origin>();
  let last: { key: string; origin: Origin } | undefined;
  return (url) => {
    if (last && url.startsWith(last.key)) {
      const path = url.slice(last.key.length);
      if (path === '' || path[0] === '/' || path[0] === '?')
        return { origin: last.origin, path: path || '/' };
    }
    const match = ORIGIN.exec(url);
    if (!match) throw errorFactory.configuration(`Not an http(s) URL: ${url.slice(0, 100)}`);
    const key = match[1] as string;
    let origin = cache.get(key);
    if (!origin) {
      const parsed = new URL(key);
      origin = {
        secure: parsed.protocol === 'https:',
        // `[::1]` → `::1`: node:http wants the bare address.
        hostname: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port === '' ? undefined : Number(parsed.port),
        host: parsed.host,
      };
      if (cache.size > 16) cache.clear();
      cache.set(key, origin);
    }
    last = { key, origin };
    return { origin, path: match[2] || '/' };
  };
}

// What node:http's setHeader refuses (RFC 9110 token names; no CR, LF or NUL in values).
const TOKEN = /^[\^_`a-zA-Z\-0-9!#$%&'*+.|~]+$/;
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;

/**
 * A request's headers as the flat `[name, value, ...]` list node:http accepts as is, with `Host`
 * first. node:http then skips its per-header `setHeader` (validation, a map entry each), so they
 * are checked here instead, with the same rules: a CR or LF in a secret cannot inject a header, and
 * it is a ConfigurationError before anything is sent. The SDK passes the same headers object on
 * every call of a client, so the list is built once per client and origin ({@link headerCache}).
 */
function headerList(origin: Origin, headers: Readonly<Record<string, string>>): string[] {
  const list = 'host' in headers ? [] : ['host', origin.host];
  for (const name in headers) {
    const value = headers[name] as string;
    if (!TOKEN.test(name) || typeof value !== 'string' || INVALID_VALUE.test(value))
      throw errorFactory.configuration(`Invalid HTTP header ${JSON.stringify(name).slice(0, 60)}`);
    // The transport sets it from the body it sends.
    if (name.toLowerCase() !== 'content-length') list.push(name, value);
  }
  return list;
}

/** The last headers object seen → its list: a client sends one object per scope, so this almost always hits. */
function headerCache(): (origin: Origin, headers: Readonly<Record<string, string>>) => string[] {
  let lastOrigin: Origin | undefined;
  let lastHeaders: Readonly<Record<string, string>> | undefined;
  let lastList: string[] = [];
  return (origin, headers) => {
    if (headers !== lastHeaders || origin !== lastOrigin) {
      // WireRequest.headers is read-only for everyone once sent: the same object has the same list.
      lastList = headerList(origin, headers);
      lastHeaders = headers;
      lastOrigin = origin;
    }
    return lastList;
  };
}

/** The `content-length` a response declares (NaN when absent), read from the raw list: no header object is built for it. */
function declaredLength(raw: string[]): number {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    if (name.length === 14 && name.toLowerCase() === 'content-length') return Number(raw[i + 1]);
  }
  return Number.NaN;
}

/**
 * A response whose header object is only built when read: on a 2xx page nothing reads it (the
 * request id, `Retry-After` and cursor headers are read on the paths that need them).
 */
class NodeResponse implements WireResponse {
  #raw: string[];
  #headers: Record<string, string> | undefined;

  constructor(
    readonly status: number,
    raw: string[],
    readonly text: string,
  ) {
    this.#raw = raw;
  }

  /** Lower-cased names; repeated headers joined by ", " (as the fetch transport gives them). */
  get headers(): Record<string, string> {
    if (this.#headers) return this.#headers;
    const out: Record<string, string> = {};
    const raw = this.#raw;
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as string).toLowerCase();
      const value = raw[i + 1] as string;
      out[name] = out[name] === undefined ? value : `${out[name]}, ${value}`;
    }
    this.#headers = out;
    return out;
  }

  toJSON(): WireResponse {
    return { status: this.status, headers: this.headers, text: this.text };
  }
}

/** The agents a {@link nodeTransport} sends through (the defaults are shared by the whole process), and its clock. */
export interface NodeAgents {
  readonly http?: http.Agent | undefined;
  readonly https?: https.Agent | undefined;
  /** The client's clock: each attempt's deadline is a timer on it (default the platform's). */
  readonly clock?: Clock | undefined;
}

let sharedHttp: http.Agent | undefined;
let sharedHttps: Promise<https.Agent> | undefined;

function defaultHttpAgent(): http.Agent {
  sharedHttp ??= new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS });
  return sharedHttp;
}

/** node:https (and so tls) is loaded on the first https request only. */
function defaultHttpsAgent(): Promise<https.Agent> {
  sharedHttps ??= import('node:https').then(
    ({ Agent }) => new Agent({ keepAlive: true, scheduling: 'lifo', timeout: IDLE_SOCKET_MS }),
  );
  return sharedHttps;
}

/** The default Node transport: `node:http`/`node:https` on keep-alive agents (shared ones unless given). */
export function nodeTransport(agents: NodeAgents = {}): Transport {
  const split = originCache();
  const listOf = headerCache();
  const clock = agents.clock ?? systemClock;
  let httpsAgent = agents.https;
  let httpsRequest: typeof https.request | undefined;
  const secure = async (request: WireRequest, origin: Origin, path: string) => {
    httpsAgent ??= await defaultHttpsAgent();
    httpsRequest ??= (await import('node:https')).request;
    return send(
      httpsRequest,
      httpsAgent,
      { origin, path, headers: listOf(origin, request.headers), clock },
      request,
    );
  };
  // Not async: plain http (and https once loaded) costs no extra promise per attempt.
  return (request) => {
    try {
      const { origin, path } = split(request.url);
      if (!origin.secure)
        return send(
          http.request,
          agents.http ?? defaultHttpAgent(),
          { origin, path, headers: listOf(origin, request.headers), clock },
          request,
        );
      if (httpsAgent && httpsRequest)
        return send(
          httpsRequest,
          httpsAgent,
          { origin, path, headers: listOf(origin, request.headers), clock },
          request,
        );
      return secure(request, origin, path);
    } catch (error) {
      // A bad URL or header: a rejection, like every other failure of an attempt.
      return Promise.reject(error);
    }
  };
}

/**
 * Where one attempt goes: its origin, its path and its header list (built once per origin and
 * headers object), and the clock its deadline runs on.
 */
interface Target {
  readonly origin: Origin;
  readonly path: string;
  readonly headers: string[];
  readonly clock: Clock;
}

function send(
  requestFn: typeof http.request,
  agent: http.Agent,
  { origin, path, headers, clock }: Target,
  { method, body, timeout, maxResponseBytes, signal }: WireRequest,
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(errorFactory.aborted(signal.reason));
    let settled = false;
    const settle = () => {
      settled = true;
      clock.clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settle();
      // Stop reading, drop the socket: it must not go back to the pool half-read.
      req.destroy();
      reject(error);
    };
    const onAbort = () => fail(errorFactory.aborted(signal?.reason));
    const req = requestFn(
      {
        host: origin.hostname,
        port: origin.port,
        path,
        method,
        agent,
        headers:
          body === undefined ? headers : [...headers, 'content-length', String(Buffer.byteLength(body))],
      },
      (res) => {
        const raw = res.rawHeaders;
        if (declaredLength(raw) > maxResponseBytes)
          return fail(errorFactory.responseTooLarge(maxResponseBytes));
        let first: Buffer | undefined;
        let more: Buffer[] | undefined;
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) fail(errorFactory.responseTooLarge(maxResponseBytes));
          else if (first === undefined) first = chunk;
          else if (more) more.push(chunk);
          else more = [first, chunk];
        });
        res.on('end', () => {
          if (settled) return;
          settle();
          const text = more ? Buffer.concat(more).toString() : first ? first.toString() : '';
          resolve(new NodeResponse(res.statusCode ?? 0, raw, text));
        });
        // Also how a connection that dies mid-body ends: node:http destroys the message with an
        // `aborted` ECONNRESET, emitted because this listener exists (no `end` follows).
        res.on('error', fail);
      },
    );
    const timer = clock.setTimeout(() => fail(errorFactory.timeout(timeout)), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * A transport over an undici `Dispatcher` (e.g. a `ProxyAgent`): undici's own `fetch` through that
 * dispatcher, under the same fetch transport as a user-supplied fetch (per-attempt deadline, abort,
 * the body read up to `maxResponseBytes`, redirects refused). Proxied calls are not the hot path;
 * one mechanism for both is worth more than the few microseconds `dispatcher.request` would save.
 */
async function dispatcherTransport(
  dispatcher: Dispatcher,
  overFetch: FetchTransport,
  clock: Clock | undefined,
): Promise<Transport> {
  const { fetch } = await import('undici');
  // fetchTransport passes a URL string and a plain init; the casts bridge undici's own fetch types.
  return overFetch(
    (input, init) =>
      fetch(input as string, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
    clock,
  );
}

/**
 * The transport a client gets in Node: over the given undici dispatcher; else, when `HTTPS_PROXY`
 * / `HTTP_PROXY` is set, over undici's `EnvHttpProxyAgent` (CONNECT through the proxy, `NO_PROXY`
 * hosts direct; the variables are read when the first request goes out); else the `node:http`
 * keep-alive transport. `overFetch` is transport.ts's fetchTransport, passed in: transport.ts
 * imports this module (in Node only), so this one does not import it back.
 */
export async function chooseNodeTransport(
  dispatcher: Dispatcher | undefined,
  overFetch: FetchTransport,
  clock?: Clock,
): Promise<Transport> {
  if (dispatcher) return dispatcherTransport(dispatcher, overFetch, clock);
  const env = process.env;
  if (!(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy))
    return nodeTransport({ clock });
  const { EnvHttpProxyAgent } = await import('undici');
  return dispatcherTransport(new EnvHttpProxyAgent(), overFetch, clock);
}
