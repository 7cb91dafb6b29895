/**
 * Lightweight stand-ins for `Request` and `Response` between openapi-fetch and the retry loop.
 * openapi-fetch builds a `Request` per call and parses a `Response`; with undici those WHATWG
 * objects cost more than the rest of a small JSON call. openapi-fetch accepts a custom `Request`
 * class, and only reads a handful of `Response` members (status, ok, headers.get, text, json), so
 * plain objects carry the data instead. They never reach user code: a user-supplied fetch receives
 * `(url, init)` built from them, and `unwrap` turns responses into values or errors.
 */

type HeadersInput = Headers | Record<string, string> | [string, string][] | undefined;

/** What openapi-fetch constructs as its request (it is given this class as `Request`). */
export class WireRequestObject {
  readonly url: string;
  readonly method: string;
  readonly headers: Headers;
  /** The serialized body (openapi-fetch passes a JSON string). */
  readonly bodyText: string | undefined;

  constructor(input: string | URL, init: { method?: string; headers?: HeadersInput; body?: unknown } = {}) {
    this.url = String(input);
    this.method = (init.method ?? 'GET').toUpperCase();
    this.headers = init.headers instanceof Headers ? init.headers : new Headers(init.headers);
    this.bodyText = init.body === undefined || init.body === null ? undefined : String(init.body);
  }
}

/** A fully read response, shaped like the parts of `Response` openapi-fetch reads. */
export class BufferedResponse {
  readonly ok: boolean;
  /** A read-only `Headers`-like view; `headerRecord` holds the same lower-cased values. */
  readonly headers: { get(name: string): string | null };

  constructor(
    readonly status: number,
    readonly headerRecord: Record<string, string>,
    private readonly body: string,
  ) {
    this.ok = status >= 200 && status < 300;
    this.headers = { get: (name) => headerRecord[name.toLowerCase()] ?? null };
  }

  text(): Promise<string> {
    return Promise.resolve(this.body);
  }

  json(): Promise<unknown> {
    // A parse error surfaces as a SyntaxError, which unwrap maps to MalformedResponseError.
    return new Promise((resolve) => resolve(JSON.parse(this.body)));
  }
}
