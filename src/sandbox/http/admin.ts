/**
 * The admin endpoint under `/__sandbox/` (not part of the Connect Trade API):
 *
 * | request | body | answer |
 * |---|---|---|
 * | `GET /__sandbox` | — | `{ url, stream_url, market_data_url, symbols, now }` |
 * | `POST /__sandbox/faults` | a `FaultSpec` or an array of them | `{ injected, affected_streams }` |
 * | `GET /__sandbox/faults` | — | `{ faults }` (queued REST faults) |
 * | `DELETE /__sandbox/faults` | — | `{ cleared: true }` |
 * | `POST /__sandbox/price` | `{ symbol, price }` (price a decimal string) | `{ symbol, price }` |
 * | `POST /__sandbox/tick` | `{ count? }` (1-10000, default 1) | `{ prices }` |
 * | `POST /__sandbox/session/close` | — | `{ closed: true }` |
 * | `POST /__sandbox/clock/advance` | `{ ms }` | `{ now }` |
 * | `POST /__sandbox/reset` | — | `{ reset: true }` |
 *
 * Who may call it is decided by `admin-guard.ts` (Host, Origin, JSON content type, admin token).
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { type FaultSpec, faultSpecError } from '../faults';
import { badRequest, HttpError, notFound } from '../http-error';
import { type AdminPolicy, checkAdminRequest } from './admin-guard';
import { readBody, sendJson } from './io';

/** The controls the admin endpoint drives (implemented by the sandbox). */
export interface AdminControls {
  info(): Record<string, unknown>;
  injectFault(spec: FaultSpec): number;
  pendingFaults(): FaultSpec[];
  clearFaults(): void;
  setPrice(symbol: string, price: string): string;
  tick(count: number): Record<string, string>;
  closeSession(): void;
  advanceClock(ms: number): string;
  reset(): void;
}

const DECIMAL = /^[0-9]+(\.[0-9]{1,9})?$/;

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown> | unknown[]> {
  const text = await readBody(req);
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value !== null && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // Falls through.
  }
  throw badRequest('the body must be a JSON object');
}

async function route(controls: AdminControls, req: IncomingMessage, path: string): Promise<unknown> {
  const key = `${req.method} ${path.replace(/\/+$/, '')}`;
  switch (key) {
    case 'GET /__sandbox':
      return controls.info();
    case 'GET /__sandbox/faults':
      return { faults: controls.pendingFaults() };
    case 'DELETE /__sandbox/faults':
      controls.clearFaults();
      return { cleared: true };
    case 'POST /__sandbox/faults': {
      const body = await jsonBody(req);
      const specs = Array.isArray(body) ? body : [body];
      for (const [i, spec] of specs.entries()) {
        const error = faultSpecError(spec);
        if (error) throw badRequest(specs.length > 1 ? `fault ${i}: ${error}` : error, 'invalid_fault');
      }
      let affected = 0;
      for (const spec of specs) affected += controls.injectFault(spec as FaultSpec);
      return { injected: specs.length, affected_streams: affected };
    }
    case 'POST /__sandbox/price': {
      const body = (await jsonBody(req)) as Record<string, unknown>;
      if (typeof body.symbol !== 'string' || !body.symbol)
        throw badRequest('`symbol` must be a non-empty string');
      if (typeof body.price !== 'string' || !DECIMAL.test(body.price) || Number(body.price) <= 0)
        throw badRequest('`price` must be a positive decimal string');
      return { symbol: body.symbol, price: controls.setPrice(body.symbol, body.price) };
    }
    case 'POST /__sandbox/tick': {
      const { count = 1 } = (await jsonBody(req)) as Record<string, unknown>;
      if (typeof count !== 'number' || !Number.isInteger(count) || count < 1 || count > 10_000)
        throw badRequest('`count` must be an integer from 1 to 10000');
      return { prices: controls.tick(count) };
    }
    case 'POST /__sandbox/session/close':
      controls.closeSession();
      return { closed: true };
    case 'POST /__sandbox/clock/advance': {
      const { ms } = (await jsonBody(req)) as Record<string, unknown>;
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0)
        throw badRequest('`ms` must be a number >= 0');
      return { now: controls.advanceClock(ms) };
    }
    case 'POST /__sandbox/reset':
      controls.reset();
      return { reset: true };
    default:
      throw notFound(`no admin route ${key}`);
  }
}

/** Handles one `/__sandbox/*` request. */
export async function handleAdmin({
  controls,
  policy,
  req,
  res,
  path,
}: {
  controls: AdminControls;
  policy: AdminPolicy;
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
}): Promise<void> {
  try {
    checkAdminRequest(req, policy);
    sendJson(res, 200, await route(controls, req, path));
  } catch (error) {
    if (error instanceof HttpError) sendJson(res, error.status, { message: error.message, code: error.code });
    else sendJson(res, 500, { message: String(error), code: 'internal_error' });
  }
}
