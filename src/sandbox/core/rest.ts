/**
 * The REST pipeline without a socket: route by the spec, inject faults, check credentials, parse
 * and validate parameters and body, run the handler, validate the response against the spec. The
 * HTTP server (http/rest-server.ts) and the deterministic simulation (test/sim/) both call
 * {@link handleRestRequest}; it never touches the network.
 */
import type { OperationId } from '../../../generated/operations';
import { describeSchemaErrors, schemaErrors } from '../../internal/schema-validator';
import type { Faults } from '../faults';
import { authenticate, type SandboxCredentials } from '../http/auth';
import type { RestContext, RestRequest, RestResult } from '../http/context';
import * as account from '../http/handlers-account';
import * as platform from '../http/handlers-platform';
import { parseJsonText } from '../http/io';
import { matchOperation, parseParameters, responseErrors, validateBody } from '../http/spec-operations';
import { HttpError } from '../http-error';
import type { SandboxLogger } from '../logger';
import type { SandboxTraffic } from '../options';

function describeInjected(body: unknown): string | undefined {
  const errors = schemaErrors('Error', body);
  return errors.length === 0 ? undefined : describeSchemaErrors(errors);
}

type Handler = (ctx: RestContext, req: RestRequest) => RestResult;

/** One handler per operationId of the spec (the compiler checks none is missing). */
const HANDLERS: Record<OperationId, Handler> = {
  createUser: platform.createUser,
  listUsers: platform.listUsers,
  deleteUser: platform.deleteUser,
  createConnection: platform.createConnection,
  listConnections: platform.listConnections,
  deleteConnection: platform.deleteConnection,
  getConnectionToken: platform.getConnectionToken,
  createUserToken: platform.createUserToken,
  listAccounts: account.listAccounts,
  listBalances: account.listBalances,
  listPositions: account.listPositions,
  listTransactions: account.listTransactions,
  createOrder: account.createOrder,
  listOrders: account.listOrders,
  replaceOrder: account.replaceOrder,
  cancelOrder: account.cancelOrder,
};

/** What the pipeline needs besides the handlers' context. */
export interface RestServerOptions {
  ctx: RestContext;
  faults: Faults;
  credentials: SandboxCredentials;
  latencyMs: number;
  validateResponses: boolean;
  logger: SandboxLogger;
  /** Called with a description whenever the sandbox itself breaks the spec. */
  onViolation: (message: string) => void;
  onTraffic: ((entry: SandboxTraffic) => void) | undefined;
}

/** One REST request, as read off the wire (or made up by a simulated network). */
export interface CoreRequest {
  method: string;
  /** The path and query (`/orders?account_id=...`). */
  url: URL;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as text ('' when none). */
  body: string;
  requestId: string;
}

/** The answer to a {@link CoreRequest}. */
export interface CoreResponse {
  status: number;
  headers: Record<string, string>;
  /** The JSON body (undefined: an empty body). */
  body: unknown;
  /** The lost-ack fault: the request took effect, the answer must never reach the client. */
  dropped: boolean;
}

/** Runs one REST request of the API (not the admin or authorization routes) to its answer. */
export async function handleRestRequest(options: RestServerOptions, req: CoreRequest): Promise<CoreResponse> {
  const startedMs = performance.now();
  const headers: Record<string, string> = { 'x-request-id': req.requestId };
  const { method, url } = req;
  const answer = (status: number, body: unknown): CoreResponse => ({ status, headers, body, dropped: false });
  let matched: ReturnType<typeof matchOperation>;
  try {
    matched = matchOperation(method, url.pathname);
  } catch (error) {
    // A path parameter that does not decode (`%ZZ`): the client's fault, before any operation runs.
    if (!(error instanceof HttpError)) throw error;
    return answer(error.status, { message: error.message, code: error.code });
  }
  if (matched === undefined)
    return answer(404, { message: `no route ${method} ${url.pathname}`, code: 'not_found' });
  if (matched === 405)
    return answer(405, {
      message: `${method} is not allowed on ${url.pathname}`,
      code: 'method_not_allowed',
    });
  const { operation, pathParams } = matched;
  const faults = options.faults.forRequest(method, url.pathname, operation.path);
  const delay = options.latencyMs + faults.latencyMs;
  if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));

  let result: RestResult;
  let requestBody: unknown;
  // An injected failure may use any status (503, 502...), declared by the spec or not.
  let injected = false;
  try {
    if (faults.fail) {
      injected = true;
      const { status, message, code, retry_after } = faults.fail;
      const extra: Record<string, string> =
        retry_after === undefined ? {} : { 'retry-after': String(retry_after) };
      throw new HttpError(status, message ?? `injected fault: ${status}`, code ?? 'sandbox_fault', extra);
    }
    const userId = authenticate(req.headers, operation.scope, options.credentials, options.ctx.state);
    const params = parseParameters(operation, url.searchParams, pathParams);
    const body = operation.bodySchema ? parseJsonText(req.headers['content-type'], req.body) : undefined;
    requestBody = body;
    validateBody(operation, body);
    result = HANDLERS[operation.id](options.ctx, { userId, params, body });
  } catch (error) {
    if (!(error instanceof HttpError)) {
      options.logger.error?.(`sandbox: ${operation.id} failed: ${(error as Error).stack ?? String(error)}`);
      result = { status: 500, body: { message: 'internal error in the sandbox', code: 'internal_error' } };
    } else {
      Object.assign(headers, error.headers);
      result = { status: error.status, body: { message: error.message, code: error.code } };
    }
  }

  if (options.validateResponses) {
    const problem = injected
      ? describeInjected(result.body)
      : responseErrors(operation, result.status, result.body);
    if (problem) {
      const message = `sandbox response to ${operation.id} breaks the spec: ${problem}`;
      options.onViolation(message);
      result = { status: 500, body: { message, code: 'sandbox_spec_violation' } };
    }
  }
  options.onTraffic?.({
    kind: 'rest',
    operationId: operation.id,
    method,
    path: url.pathname + url.search,
    requestBody,
    status: result.status,
    responseBody: faults.drop ? undefined : result.body,
    dropped: faults.drop,
    requestId: req.requestId,
    durationMs: Math.round((performance.now() - startedMs) * 10) / 10,
  });
  if (faults.drop) options.logger.debug?.(`sandbox: dropping the response to ${method} ${url.pathname}`);
  else options.logger.debug?.(`sandbox: ${method} ${url.pathname} -> ${result.status}`);
  return { status: result.status, headers, body: result.body, dropped: faults.drop };
}
