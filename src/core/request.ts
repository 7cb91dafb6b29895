/**
 * The bridge between resources and the wire: an openapi-fetch client per credential set (auth
 * middleware on top, the retry loop as its `fetch`), and {@link unwrap}, which turns openapi-fetch's
 * `{ data, error, response }` into a value or one of the SDK's typed errors.
 */
import createClient, { type Client } from 'openapi-fetch';
import type { paths } from '../../generated/schema';
import { authMiddleware, type Credentials } from './auth';
import { ConnectTradeError, restErrorFactory as errorFactory } from './errors';
import { checkNumbers, type RequestOptions, type ResolvedOptions } from './options';
import { type RetryMode, sendWithRetries } from './retry';
import { defaultTransport, type Transport } from './transport';
import { BufferedResponse, WireRequestObject } from './wire-objects';

/** What every REST client built from one `ConnectTrade` shares: resolved options and the transport. */
export interface RestContext {
  readonly options: ResolvedOptions;
  readonly transport: () => Promise<Transport>;
}

/** Builds the shared context for a set of resolved options. */
export function createContext(options: ResolvedOptions): RestContext {
  return { options, transport: defaultTransport(options.fetch) };
}

/** Per-call options of openapi-fetch: the retrying fetch for this call, plus extra headers. */
export type CallInit = {
  fetch: (request: Request) => Promise<Response>;
  headers?: Record<string, string>;
};

/** An openapi-fetch client bound to one set of credentials. */
export class RestCore {
  /** The typed openapi-fetch client (auth middleware installed). */
  readonly client: Client<paths>;

  constructor(
    readonly context: RestContext,
    credentials: Credentials,
  ) {
    this.client = createClient<paths>({
      baseUrl: context.options.baseUrl,
      Request: WireRequestObject as unknown as typeof Request,
      // PROTOCOL.md: `symbols` travels comma-separated (`symbols=AAPL,MSFT`), not repeated.
      querySerializer: { array: { style: 'form', explode: false } },
    });
    this.client.use(authMiddleware(credentials));
  }

  /** Redacted: the context holds the client secret. */
  toJSON(): Record<string, unknown> {
    return { baseUrl: this.context.options.baseUrl };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `RestCore ${JSON.stringify(this.toJSON())}`;
  }

  /**
   * openapi-fetch options for one call. `retry` defaults from the method: GET, DELETE and PATCH are
   * safe to repeat; a POST is only retried when the failure proves it was never sent.
   */
  init(method: string, options: RequestOptions = {}, retry?: RetryMode): CallInit {
    checkNumbers(options.timeout, options.maxRetries);
    const { options: defaults, transport } = this.context;
    const attemptOptions = {
      timeout: options.timeout ?? defaults.timeout,
      maxRetries: options.maxRetries ?? defaults.maxRetries,
      retry: retry ?? (method === 'POST' ? 'unsent-only' : 'idempotent'),
      signal: options.signal,
      logger: defaults.logger,
    } as const;
    const fetch = async (request: Request): Promise<Response> => {
      const { url, method, headers, bodyText } = request as unknown as WireRequestObject;
      const wire = await sendWithRetries(
        await transport(),
        { url, method, headers: Object.fromEntries(headers), body: bodyText },
        attemptOptions,
      );
      return new BufferedResponse(wire.status, wire.headers, wire.text) as unknown as Response;
    };
    return options.headers ? { fetch, headers: options.headers } : { fetch };
  }
}

/** openapi-fetch's result shape. */
interface FetchResult<D> {
  data?: D;
  error?: unknown;
  response: Response;
}

/** Awaits an openapi-fetch call: its data (undefined for an empty 2xx), or a typed error. */
export async function unwrap<D>(call: Promise<FetchResult<D>>): Promise<D | undefined> {
  let result: FetchResult<D>;
  try {
    result = await call;
  } catch (error) {
    if (error instanceof ConnectTradeError) throw error;
    if (error instanceof SyntaxError)
      throw errorFactory.malformedResponse('The response body is not JSON', error);
    throw errorFactory.configuration(`Could not build the request: ${(error as Error)?.message ?? error}`);
  }
  const { response } = result;
  if (!response.ok) {
    const raw =
      result.error === undefined
        ? ''
        : typeof result.error === 'string'
          ? result.error
          : JSON.stringify(result.error);
    const buffered: unknown = response;
    const headers = buffered instanceof BufferedResponse ? buffered.headerRecord : response.headers;
    throw errorFactory.fromResponse(response.status, raw, headers);
  }
  return result.data;
}
