/**
 * The query string of a request, as openapi-fetch's `createQuerySerializer` writes it with
 * `symbols` comma-joined (PROTOCOL.md: `symbols=AAPL,MSFT`, form style, not exploded), but each
 * `name=value` fragment is percent-encoded once per distinct value and then reused: a client calls
 * the same filters over and over (`status=open`, `limit=50`, the same symbols), and encoding them
 * on every call was most of what a query cost (bench/README.md). The caches are bounded; a value
 * they cannot key safely (an object, an array holding a comma or a non-scalar) is serialized by
 * openapi-fetch on every call, as before.
 */
import { createQuerySerializer } from 'openapi-fetch';

// openapi-fetch's own serializer, for what the caches do not key: its output is the reference.
const uncached = createQuerySerializer({ array: { style: 'form', explode: false } });

// Parameter names and values per name kept; past either bound a cache starts over.
const MAX_NAMES = 64;
const MAX_VALUES = 256;

/** name → value → its fragment; arrays apart (keyed by their comma-joined items, see {@link arrayKey}). */
const scalars = new Map<string, Map<unknown, string>>();
const arrays = new Map<string, Map<string, string>>();

/** @internal How many fragments were encoded (cache misses): tests check it does not grow with repeated calls. */
export const queryStringStats = { encoded: 0 };

/** @internal How many fragments the caches hold (bounded by MAX_NAMES × MAX_VALUES per kind). */
export function queryCacheSize(): number {
  let size = 0;
  for (const all of [scalars, arrays]) for (const byValue of all.values()) size += byValue.size;
  return size;
}

/**
 * An array's key: its items comma-joined, when that says exactly what it serializes to (strings
 * without a comma, numbers); else undefined (not cached).
 */
function arrayKey(items: readonly unknown[]): string | undefined {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item === 'string' ? item.includes(',') : typeof item !== 'number') return undefined;
  }
  return items.join(',');
}

function cacheOf<K>(all: Map<string, Map<K, string>>, name: string): Map<K, string> {
  let byValue = all.get(name);
  if (!byValue) {
    if (all.size >= MAX_NAMES) all.clear();
    byValue = new Map();
    all.set(name, byValue);
  }
  return byValue;
}

function remember<K>(byValue: Map<K, string>, key: K, fragment: string): string {
  if (byValue.size >= MAX_VALUES) byValue.clear();
  byValue.set(key, fragment);
  queryStringStats.encoded++;
  return fragment;
}

/** One parameter's fragment (`status=open`, `symbols=AAPL,MSFT`), from the cache when seen before. */
function fragmentOf(name: string, value: unknown): string {
  if (Array.isArray(value)) {
    const key = arrayKey(value);
    if (key === undefined) return uncached({ [name]: value });
    const byValue = cacheOf(arrays, name);
    return byValue.get(key) ?? remember(byValue, key, uncached({ [name]: value }));
  }
  if (typeof value === 'object') return uncached({ [name]: value });
  const byValue = cacheOf(scalars, name);
  return byValue.get(value) ?? remember(byValue, value, uncached({ [name]: value }));
}

/** The query string (without `?`) of `query`: what openapi-fetch's serializer gives, built from cached fragments. */
export function queryString(query: Record<string, unknown> | undefined): string {
  let search = '';
  let count = 0;
  if (query && typeof query === 'object')
    for (const name in query) {
      const value = query[name];
      if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) continue;
      const fragment = fragmentOf(name, value);
      search = count++ === 0 ? fragment : `${search}&${fragment}`;
    }
  return search;
}
