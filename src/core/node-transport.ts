/**
 * Node transports. Only imported in Node (see transport.ts), and only on the first request.
 *
 * The default is `node:http`/`node:https` on a keep-alive `Agent`, chosen by measurement
 * (bench/README.md): it is built into Node (no 40 ms undici load before the first response), it
 * costs less per call than undici's `Agent#request` on small JSON pages, and Node's agent unrefs
 * idle keep-alive sockets, so a process whose work is done exits at once instead of waiting for
 * undici's timers. Each attempt costs one timer, no `AbortController`, no `URL` (origins are
 * parsed once) and no WHATWG `Headers`.
 *
 * {@link dispatcherTransport} is the seam for an undici `Dispatcher` (a proxy agent, a mock, a
 * custom pool): the same contract over `dispatcher.request`.
 */
import http from 'node:http';
import type https from 'node:https';
import type { Dispatcher } from 'undici';
import { restErrorFactory as errorFactory } from './errors';
import type { Transport, WireRequest, WireResponse } from './transport';

// Idle keep-alive sockets are closed after this long: below the 5 s keep-alive of Node servers
// and common proxies, so a request is not sent on a socket the server is closing.
const IDLE_SOCKET_MS = 4_000;

interface Origin {
  readonly secure: boolean;
  readonly hostname: string;
  readonly port: number | undefined;
}

const ORIGIN = /^(https?:\/\/[^/?#]+)(.*)$/i;

/** `scheme://host[:port]` → its parts, parsed once per origin (the base URL: in practice one entry). */
function originCache(): (url: string) => { origin: Origin; path: string } {
  const cache = new Map<string, Origin>();
  return (url) => {
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
      };
      if (cache.size > 16) cache.clear();
      cache.set(key, origin);
    }
    return { origin, path: match[2] || '/' };
  };
}

/** Header values as one string each (Node keeps `set-cookie` as an array). */
function flatten(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The agents a {@link nodeTransport} sends through; the defaults are shared by the whole process. */
export interface NodeAgents {
  readonly http?: http.Agent | undefined;
  readonly https?: https.Agent | undefined;
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
  let httpsAgent = agents.https;
  let httpsRequest: typeof https.request | undefined;
  const secure = async (request: WireRequest, origin: Origin, path: string) => {
    httpsAgent ??= await defaultHttpsAgent();
    httpsRequest ??= (await import('node:https')).request;
    return send(httpsRequest, httpsAgent, origin, path, request);
  };
  // Not async: plain http (and https once loaded) costs no extra promise per attempt.
  return (request) => {
    const { origin, path } = split(request.url);
    if (!origin.secure) return send(http.request, agents.http ?? defaultHttpAgent(), origin, path, request);
    if (httpsAgent && httpsRequest) return send(httpsRequest, httpsAgent, origin, path, request);
    return secure(request, origin, path);
  };
}

function send(
  requestFn: typeof http.request,
  agent: http.Agent,
  origin: Origin,
  path: string,
  { method, headers, body, timeout, maxResponseBytes, signal }: WireRequest,
): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(errorFactory.aborted(signal.reason));
    let settled = false;
    const finish = (error: unknown, response?: WireResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (response) resolve(response);
      else {
        // Stop reading, drop the socket: it must not go back to the pool half-read.
        req.destroy();
        reject(error);
      }
    };
    const onAbort = () => finish(errorFactory.aborted(signal?.reason));
    const req = requestFn(
      {
        host: origin.hostname,
        port: origin.port,
        path,
        method,
        agent,
        headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const declared = Number(res.headers['content-length']);
        if (declared > maxResponseBytes) return finish(errorFactory.responseTooLarge(maxResponseBytes));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxResponseBytes) finish(errorFactory.responseTooLarge(maxResponseBytes));
          else chunks.push(chunk);
        });
        res.on('end', () => {
          const text =
            chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
          finish(undefined, { status: res.statusCode ?? 0, headers: flatten(res.headers), text });
        });
        res.on('error', (error) => finish(error));
        // Closed before `end`: the connection died mid-body (an aborted message emits no `end`).
        res.on('close', () => {
          if (!res.complete)
            finish(Object.assign(new Error('The connection closed mid-response'), { code: 'ECONNRESET' }));
        });
      },
    );
    const timer = setTimeout(() => finish(errorFactory.timeout(timeout)), timeout);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => finish(error));
    req.end(body);
  });
}

/**
 * A transport over an undici `Dispatcher` (e.g. a `ProxyAgent`), same contract as the default:
 * per-attempt deadline, abort, and the body read up to `maxResponseBytes`. undici's `request`
 * never follows redirects, so a 3xx arrives as a response and the retry loop refuses it.
 */
export function dispatcherTransport(dispatcher: Dispatcher): Transport {
  const split = originCache();
  return async ({ url, method, headers, body, signal, timeout, maxResponseBytes }) => {
    const { path } = split(url);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const response = await dispatcher.request({
        origin: (ORIGIN.exec(url) as RegExpExecArray)[1] as string,
        path,
        method: method as Dispatcher.HttpMethod,
        headers,
        body: body ?? null,
        signal: controller.signal,
      });
      if (Number(response.headers['content-length']) > maxResponseBytes) {
        controller.abort();
        throw errorFactory.responseTooLarge(maxResponseBytes);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxResponseBytes) {
          controller.abort();
          throw errorFactory.responseTooLarge(maxResponseBytes);
        }
        chunks.push(chunk);
      }
      const out: Record<string, string> = {};
      for (const [name, value] of Object.entries(response.headers))
        if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
      return { status: response.statusCode, headers: out, text: Buffer.concat(chunks).toString() };
    } catch (error) {
      if (signal?.aborted) throw errorFactory.aborted(signal.reason);
      if (timedOut) throw errorFactory.timeout(timeout);
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/**
 * The transport a client gets in Node: over the given undici dispatcher; else, when `HTTPS_PROXY`
 * / `HTTP_PROXY` is set, over undici's `EnvHttpProxyAgent` (CONNECT through the proxy, `NO_PROXY`
 * hosts direct; the variables are read when the first request goes out); else the `node:http`
 * keep-alive transport.
 */
export async function chooseNodeTransport(dispatcher?: Dispatcher): Promise<Transport> {
  if (dispatcher) return dispatcherTransport(dispatcher);
  const env = process.env;
  if (!(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy)) return nodeTransport();
  const { EnvHttpProxyAgent } = await import('undici');
  return dispatcherTransport(new EnvHttpProxyAgent());
}
