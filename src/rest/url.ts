/**
 * The URL of a request: base URL, path with its parameters, query string. Written as openapi-fetch's
 * serializers write them for this spec (values percent-encoded, names as given; arrays comma-joined,
 * PROTOCOL.md: `symbols=AAPL,MSFT`, form style, not exploded), without them: the spec's path
 * parameters are ids and its query parameters scalars and lists of strings, and their general
 * serializers (every style, objects) cost the REST bundle more than this file.
 *
 * Each query pair is encoded once per distinct value and then reused: a client sends the same
 * filters over and over (`status=open`, `limit=50`, the same symbols), and encoding them on every
 * call was most of what a query cost (bench/README.md). The caches are bounded. An object value is
 * refused (openapi-fetch would have sent it deepObject-style; no parameter of the spec is one).
 */

// Parameter names, and values per name and kind, kept; past either bound a cache starts over.
const MAX_NAMES = 64;
const MAX_VALUES = 256;

/** name → value → its pair; lists apart, keyed by their comma-joined items (see {@link pairOf}). */
const scalars = new Map<string, Map<unknown, string>>();
const lists = new Map<string, Map<string, string>>();

/** @internal How many pairs were encoded (cache misses): tests check it does not grow with repeated calls. */
export const queryStringStats = { encoded: 0 };

/** @internal How many pairs the caches hold (at most 2 × MAX_NAMES × MAX_VALUES). */
export function queryCacheSize(): number {
  let size = 0;
  for (const all of [scalars, lists]) for (const byValue of all.values()) size += byValue.size;
  return size;
}

function encode(name: string, value: unknown): string {
  queryStringStats.encoded++;
  if (!Array.isArray(value)) return `${name}=${encodeURIComponent(value as string)}`;
  return `${name}=${value.map((item) => encodeURIComponent(item)).join(',')}`;
}

/** The pair of `name` and `value` (`status=open`, `symbols=AAPL,MSFT`), from the cache when seen before. */
function pairOf<K>(all: Map<string, Map<K, string>>, name: string, key: K, value: unknown): string {
  let byValue = all.get(name);
  if (!byValue) {
    if (all.size >= MAX_NAMES) all.clear();
    byValue = new Map();
    all.set(name, byValue);
  }
  let pair = byValue.get(key);
  if (pair === undefined) {
    pair = encode(name, value);
    if (byValue.size >= MAX_VALUES) byValue.clear();
    byValue.set(key, pair);
  }
  return pair;
}

/** A list's key: its items comma-joined when that says exactly what it encodes to (strings without a comma, numbers); else undefined. */
function listKey(items: unknown[]): string | undefined {
  for (const item of items)
    if (typeof item === 'string' ? item.includes(',') : typeof item !== 'number') return;
  return items.join(',');
}

/** The query string (without `?`); throws a TypeError for an object value (exchange makes it a ConfigurationError, nothing sent). */
export function queryString(query: Record<string, unknown> | undefined): string {
  let search = '';
  for (const name in query) {
    const value = query[name];
    let pair: string;
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      const key = listKey(value);
      pair = key === undefined ? encode(name, value) : pairOf(lists, name, key, value);
    } else if (typeof value === 'object') throw new TypeError(`query parameter ${name} is an object`);
    else pair = pairOf(scalars, name, value, value);
    search = search === '' ? pair : `${search}&${pair}`;
  }
  return search;
}

// openapi-fetch's pattern for a path parameter.
const PATH_PARAM = /\{[^{}]+\}/g;

/**
 * `baseUrl` + `path` with its parameters filled in (a parameter without a value stays as written,
 * as with openapi-fetch) + the query string. Throws a TypeError for an object query value.
 */
export function requestUrl(
  baseUrl: string,
  path: string,
  params: { path?: Record<string, unknown>; query?: Record<string, unknown> },
): string {
  const values = params.path;
  let url =
    baseUrl +
    (values
      ? path.replace(PATH_PARAM, (match) => {
          const value = values[match.slice(1, -1)];
          return value === undefined || value === null ? match : encodeURIComponent(value as string);
        })
      : path);
  const search = queryString(params.query);
  if (search) url += `?${search}`;
  return url;
}
