/**
 * Inside a simulated run nothing real may happen: real sockets, DNS, HTTP, the global fetch,
 * `crypto.randomUUID` and `Math.random` throw, and a run that leaves a real handle behind fails.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

type Restore = () => void;

function trip(name: string): never {
  throw new Error(`simulation tripwire: ${name} called inside a simulated run`);
}

function patch<T extends object, K extends keyof T>(
  target: T,
  key: K,
  name: string,
  restores: Restore[],
): void {
  const original = target[key];
  (target as Record<K, unknown>)[key] = (() => trip(name)) as unknown;
  restores.push(() => {
    (target as Record<K, unknown>)[key] = original;
  });
}

/** Arms every tripwire; returns the function that disarms them. */
export function armTripwires(): Restore {
  const restores: Restore[] = [];
  patch(globalThis, 'fetch', 'global fetch', restores);
  patch(Math, 'random', 'Math.random', restores);
  patch(globalThis.crypto, 'randomUUID', 'crypto.randomUUID', restores);
  patch(net, 'connect', 'net.connect', restores);
  patch(net, 'createConnection', 'net.createConnection', restores);
  patch(net, 'createServer', 'net.createServer', restores);
  patch(net.Socket.prototype, 'connect', 'net.Socket#connect', restores);
  patch(dns, 'lookup', 'dns.lookup', restores);
  patch(http, 'request', 'http.request', restores);
  patch(http, 'get', 'http.get', restores);
  patch(http, 'createServer', 'http.createServer', restores);
  patch(https, 'request', 'https.request', restores);
  return () => {
    for (const restore of restores.reverse()) restore();
  };
}

/** Real resources (sockets, servers, file handles...) open now, by kind; timers excluded. */
export function realHandles(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo())
    if (kind !== 'Timeout' && kind !== 'Immediate') counts.set(kind, (counts.get(kind) ?? 0) + 1);
  return counts;
}

/** The kinds with more open resources in `after` than in `before`. */
export function leakedHandles(before: Map<string, number>, after: Map<string, number>): string[] {
  return [...after]
    .filter(([kind, n]) => n > (before.get(kind) ?? 0))
    .map(([kind, n]) => `${kind} x${n - (before.get(kind) ?? 0)}`);
}

/**
 * The kinds still leaked once pending file reads and writes have had up to `graceMs` of real time
 * to finish. A run that first reaches a lazily loaded module makes the module loader read it and
 * write its compile cache asynchronously (`FSReqPromise`): the loader's, not the SDK's, and done
 * in a few milliseconds. Only that kind gets the grace; a socket, a server or a file request
 * still open after it is reported. Called after the virtual clock is uninstalled.
 */
export async function handlesLeftAfter(before: Map<string, number>, graceMs = 250): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  let leaked = leakedHandles(before, realHandles());
  while (
    leaked.length > 0 &&
    leaked.every((kind) => kind.startsWith('FSReqPromise ')) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    leaked = leakedHandles(before, realHandles());
  }
  return leaked;
}
