/** "Copy as SDK call": the SDK call that makes a logged REST request. */

type Json = Record<string, unknown>;

function args(value: unknown): string {
  return value === undefined ? '' : JSON.stringify(value, null, 2);
}

function query(path: string): Json | undefined {
  const q = path.indexOf('?');
  if (q === -1) return undefined;
  const params = new URLSearchParams(path.slice(q + 1));
  const out: Json = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = key === 'symbols' ? all.flatMap((v) => v.split(',')) : all.length > 1 ? all : all[0];
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

function segments(path: string): string[] {
  return (path.split('?')[0] ?? '')
    .split('/')
    .filter(Boolean)
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        return s;
      }
    });
}

/**
 * The TypeScript that makes the same request with the SDK (`ct` a `ConnectTrade`, `user` its
 * `forUser(...)`), or undefined for an operation the SDK has no one-line call for.
 */
export function sdkCall(operationId: string, path: string, body: unknown): string | undefined {
  const seg = segments(path);
  const q = query(path);
  const id = (i: number) => JSON.stringify(seg[i] ?? '');
  switch (operationId) {
    case 'createUser':
      return `await ct.users.create(${args(body)});`;
    case 'listUsers':
      return 'await ct.users.list();';
    case 'deleteUser':
      return `await ct.users.delete(${id(1)});`;
    case 'createConnection':
      return `await user.connections.create(${args(body)});`;
    case 'listConnections':
      return 'await user.connections.list();';
    case 'deleteConnection':
      return `await user.connections.delete(${id(1)});`;
    case 'getConnectionToken':
      return `await user.connections.token(${id(1)});`;
    case 'createUserToken':
      return `await user.tokens.create(${args(body)});`;
    case 'listAccounts':
      return `await user.accounts.list(${args(q)});`;
    case 'listBalances':
      return `await user.balances.list(${args(q)});`;
    case 'listPositions':
      return `await user.positions.list(${args(q)});`;
    case 'listTransactions':
      return `await user.transactions.list(${args(q)});`;
    case 'createOrder':
      return `await user.orders.create(${args(body)});`;
    case 'listOrders':
      return `await user.orders.list(${args(q)});`;
    case 'replaceOrder':
      return `await user.orders.replace(${id(1)}, ${id(3)}, ${args(body)});`;
    case 'cancelOrder':
      return `await user.orders.cancel(${id(1)}, ${id(3)});`;
    default:
      return undefined;
  }
}
