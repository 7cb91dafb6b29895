/**
 * Redis scripting for the simulated Redis: the relay's own Lua scripts run, unchanged, in fengari
 * (Lua 5.3 in JavaScript), wired the way ioredis-mock wires it (a JS function behind
 * `redis.call` / `redis.pcall`, `KEYS` and `ARGV` as global tables), with Redis 7's conversion
 * rules between Lua values and replies:
 * - Redis → Lua: integer → number, bulk → string, nil → false, array → table, status → `{ok=...}`,
 *   error → `{err=...}` (`redis.call` raises it instead);
 * - Lua → Redis: number → integer (truncated), string → bulk, true → 1, false/nil → nil,
 *   `{err=...}` → error, `{ok=...}` → status, other tables → array up to the first nil.
 * Like Redis, one Lua state serves every script, each compiled once as a function kept by its SHA1,
 * chunk name `@user_script`, and errors carry `script: <sha>, on @user_script:<line>.` (Redis 7's
 * error handler, copied below in Lua; fengari calls a JS function's frame `J` where Redis has `C`).
 *
 * Lua 5.1 (Redis) against 5.3 (fengari): in 5.1 every number is a double; fengari has 32-bit
 * integers that wrap (`tonumber(TIME seconds) * 1000` overflows) and prints integral floats as
 * `2.0`. The prelude below brings the 5.1 behaviour the relay's scripts rely on: `tonumber`
 * returns a double, `tostring` of a number is `%.14g` (5.1's format); integers from Redis are
 * pushed as Lua integers when they fit 32 bits, doubles otherwise, and fengari is built with
 * `LUA_COMPAT_FLOATSTRING` (fengari-conf.ts) so `..` prints an integral double as 5.1 does (`2`,
 * not `2.0`: a fence seeded from the clock in ms is a double here); numeric command arguments are
 * formatted as Redis does (`%.17g`). What is left (5.1 globals 5.3 dropped, such as `unpack`; error
 * texts of Lua itself) is what the comparison test against a real redis-server
 * (model-vs-redis.test.ts) would show.
 */
import './fengari-conf';
import { createHash } from 'node:crypto';
import { type LuaState, lauxlib, lua, lualib, to_luastring } from 'fengari';
import { ErrorReply, type Reply, Status } from './replies';

/** What runs the commands a script issues. */
export interface ScriptHost {
  /** One command issued by `redis.call`/`redis.pcall`; an error is returned as an {@link ErrorReply}. */
  callFromScript(args: string[]): Reply;
}

const ERROR_HANDLER = `
local dbg = debug
return function (err)
  local i = dbg.getinfo(2, 'nSl')
  if i and (i.what == 'C' or i.what == 'J') then
    i = dbg.getinfo(3, 'nSl')
  end
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
`;

/** Lua 5.1's number behaviour, as far as the relay's scripts need it (see the file comment). */
const PRELUDE = `
local tn, ts, fmt = tonumber, tostring, string.format
tonumber = function(...)
  local v = tn(...)
  if v == nil then return nil end
  return v + 0.0
end
tostring = function(v)
  if type(v) == 'number' then return fmt('%.14g', v) end
  return ts(v)
end
`;

const INT32 = 2 ** 31;

/**
 * A JS string as a Lua string: ASCII (every key, id and field the relay sends) byte for byte
 * here, anything else by fengari's own encoder. fengari's builds an array and copies it; this is
 * one of the hottest paths of a relay run (every KEYS/ARGV item and reply string). Lua copies a
 * pushed string, so the bytes are never shared with the state.
 */
function S(s: string): Uint8Array {
  const n = s.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) return to_luastring(s);
    out[i] = c;
  }
  return out;
}
const K_ERR = S('err');
const K_OK = S('ok');
const K_SOURCE = S('source');
const K_LINE = S('line');
const K_KEYS = S('KEYS');
const K_ARGV = S('ARGV');

const USER_SCRIPT = S('@user_script');

/**
 * Compiled scripts (Lua bytecode, debug info kept: error lines stay as they were) by body, shared
 * by every simulated Redis of the process: each run's server compiles the same few scripts, and
 * loading their bytecode skips the parser. The cache holds only scripts that compiled.
 */
const compiled = new Map<string, Uint8Array>();

/** The bytecode of the function on top of the stack (left there). */
function dump(L: LuaState): Uint8Array {
  const parts: Uint8Array[] = [];
  let size = 0;
  lua.lua_dump(
    L,
    (_, bytes, n) => {
      parts.push(bytes.slice(0, n));
      size += n;
      return 0;
    },
    null,
    false,
  );
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

export const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** `%.17g`, as Redis formats a Lua number passed as a command argument. */
export function formatLuaNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e17) return String(n);
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'nan' : n > 0 ? 'inf' : '-inf';
  const exponent = Math.floor(Math.log10(Math.abs(n)));
  if (exponent < -4 || exponent >= 17) {
    const [mantissa = '', exp = '0'] = n.toExponential(16).split('e');
    const m = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    const e = Number(exp);
    return `${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  const fixed = n.toFixed(Math.max(0, 16 - exponent));
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** The Lua state of one simulated Redis and its script cache. */
export class LuaScripting {
  private readonly L: LuaState;
  private readonly handlerRef: number;
  private readonly functions = new Map<string, number>();
  /** Script bodies by SHA1 (SCRIPT EXISTS, and re-creating the state is never needed). */
  private readonly bodies = new Map<string, string>();

  constructor(private readonly host: ScriptHost) {
    const L = lauxlib.luaL_newstate();
    this.L = L;
    lualib.luaL_openlibs(L);
    // redis.call / redis.pcall / redis.status_reply / redis.error_reply / redis.sha1hex
    lua.lua_createtable(L, 0, 5);
    lua.lua_pushjsfunction(L, (state) => this.bridge(state, true));
    lua.lua_setfield(L, -2, S('call'));
    lua.lua_pushjsfunction(L, (state) => this.bridge(state, false));
    lua.lua_setfield(L, -2, S('pcall'));
    lua.lua_pushjsfunction(L, (state) => {
      lua.lua_createtable(state, 0, 1);
      lua.lua_pushstring(state, S(lua.lua_tojsstring(state, 1)));
      lua.lua_setfield(state, -2, K_OK);
      return 1;
    });
    lua.lua_setfield(L, -2, S('status_reply'));
    lua.lua_pushjsfunction(L, (state) => {
      lua.lua_createtable(state, 0, 1);
      lua.lua_pushstring(state, S(lua.lua_tojsstring(state, 1)));
      lua.lua_setfield(state, -2, K_ERR);
      return 1;
    });
    lua.lua_setfield(L, -2, S('error_reply'));
    lua.lua_pushjsfunction(L, (state) => {
      lua.lua_pushstring(state, S(sha1(lua.lua_tojsstring(state, 1))));
      return 1;
    });
    lua.lua_setfield(L, -2, S('sha1hex'));
    lua.lua_setglobal(L, S('redis'));
    if (lauxlib.luaL_loadbuffer(L, S(PRELUDE), null, S('@prelude')) !== lua.LUA_OK)
      throw new Error('simulated Redis: the Lua 5.1 prelude does not compile');
    lua.lua_pcall(L, 0, 0, 0);
    if (lauxlib.luaL_loadbuffer(L, S(ERROR_HANDLER), null, S('@err_handler')) !== lua.LUA_OK)
      throw new Error('simulated Redis: the error handler does not compile');
    lua.lua_pcall(L, 0, 1, 0);
    this.handlerRef = lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX);
  }

  /** True when a script with this SHA1 is cached. */
  has(sha: string): boolean {
    return this.functions.has(sha);
  }

  /** Compiles and caches a script; returns its SHA1, or an error reply when it does not compile. */
  load(body: string): string | ErrorReply {
    const sha = sha1(body);
    if (this.functions.has(sha)) return sha;
    const L = this.L;
    const chunk = compiled.get(body);
    if (lauxlib.luaL_loadbuffer(L, chunk ?? S(body), null, USER_SCRIPT) !== lua.LUA_OK) {
      const message = lua.lua_tojsstring(L, -1);
      lua.lua_pop(L, 1);
      return new ErrorReply(`ERR Error compiling script (new function): ${message}`);
    }
    if (!chunk) compiled.set(body, dump(L));
    this.functions.set(sha, lauxlib.luaL_ref(L, lua.LUA_REGISTRYINDEX));
    this.bodies.set(sha, body);
    return sha;
  }

  /** Forgets every script (SCRIPT FLUSH, or a promoted replica that never saw them). */
  flush(): void {
    this.functions.clear();
    this.bodies.clear();
  }

  /** Runs a cached script with KEYS and ARGV; its reply converted by Redis's rules. */
  run(sha: string, keys: readonly string[], args: readonly string[]): Reply {
    const ref = this.functions.get(sha);
    if (ref === undefined) return new ErrorReply('NOSCRIPT No matching script. Please use EVAL.');
    const L = this.L;
    const top = lua.lua_gettop(L);
    setGlobalArray(L, K_KEYS, keys);
    setGlobalArray(L, K_ARGV, args);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, this.handlerRef);
    lua.lua_rawgeti(L, lua.LUA_REGISTRYINDEX, ref);
    const status = lua.lua_pcall(L, 0, 1, top + 1);
    try {
      if (status !== lua.LUA_OK) return scriptError(L, sha);
      return toReply(L, -1);
    } finally {
      lua.lua_settop(L, top);
    }
  }

  /** `redis.call` (raise) and `redis.pcall`: runs the command on the host, pushes its reply. */
  private bridge(L: LuaState, raise: boolean): number {
    const n = lua.lua_gettop(L);
    if (n === 0) return fail(L, 'ERR Please specify at least one argument for this redis lib call', raise);
    const args: string[] = [];
    for (let i = 1; i <= n; i++) {
      const type = lua.lua_type(L, i);
      if (type === lua.LUA_TSTRING) args.push(lua.lua_tojsstring(L, i));
      else if (type === lua.LUA_TNUMBER)
        args.push(
          lua.lua_isinteger(L, i) ? String(lua.lua_tointeger(L, i)) : formatLuaNumber(lua.lua_tonumber(L, i)),
        );
      else return fail(L, 'ERR Lua redis lib command arguments must be strings or integers', raise);
    }
    const reply = this.host.callFromScript(args);
    if (reply instanceof ErrorReply && raise) return fail(L, reply.message, true);
    pushReply(L, reply);
    return 1;
  }
}

function setGlobalArray(L: LuaState, name: Uint8Array, values: readonly string[]): void {
  lua.lua_createtable(L, values.length, 0);
  for (let i = 0; i < values.length; i++) {
    lua.lua_pushstring(L, S(values[i] as string));
    lua.lua_rawseti(L, -2, i + 1);
  }
  lua.lua_setglobal(L, name);
}

/** Pushes `{err = message}`; raises it (`redis.call`) or returns it (`redis.pcall`). */
function fail(L: LuaState, message: string, raise: boolean): number {
  lua.lua_createtable(L, 0, 1);
  lua.lua_pushstring(L, S(message));
  lua.lua_setfield(L, -2, K_ERR);
  if (raise) lua.lua_error(L);
  return 1;
}

function pushReply(L: LuaState, reply: Reply): void {
  if (reply === null) lua.lua_pushboolean(L, false);
  else if (typeof reply === 'number') {
    if (reply >= -INT32 && reply < INT32) lua.lua_pushinteger(L, reply);
    else lua.lua_pushnumber(L, reply);
  } else if (typeof reply === 'string') lua.lua_pushstring(L, S(reply));
  else if (reply instanceof Status || reply instanceof ErrorReply) {
    lua.lua_createtable(L, 0, 1);
    lua.lua_pushstring(L, S(reply instanceof Status ? reply.value : reply.message));
    lua.lua_setfield(L, -2, reply instanceof Status ? K_OK : K_ERR);
  } else {
    lua.lua_createtable(L, reply.length, 0);
    for (let i = 0; i < reply.length; i++) {
      pushReply(L, reply[i] as Reply);
      lua.lua_rawseti(L, -2, i + 1);
    }
  }
}

/** The Lua value at `index` as a reply (Redis's Lua → RESP2 rules). */
function toReply(L: LuaState, index: number): Reply {
  const at = index < 0 ? lua.lua_gettop(L) + index + 1 : index;
  const type = lua.lua_type(L, at);
  if (type === lua.LUA_TSTRING) return lua.lua_tojsstring(L, at);
  if (type === lua.LUA_TNUMBER) return Math.trunc(lua.lua_tonumber(L, at));
  if (type === lua.LUA_TBOOLEAN) return lua.lua_toboolean(L, at) ? 1 : null;
  if (type !== lua.LUA_TTABLE) return null;
  const err = stringField(L, at, K_ERR);
  if (err !== undefined) return new ErrorReply(err);
  const ok = stringField(L, at, K_OK);
  if (ok !== undefined) return new Status(ok);
  const items: Reply[] = [];
  for (let j = 1; ; j++) {
    if (lua.lua_rawgeti(L, at, j) === lua.LUA_TNIL) {
      lua.lua_pop(L, 1);
      break;
    }
    items.push(toReply(L, -1));
    lua.lua_pop(L, 1);
  }
  return items;
}

function stringField(L: LuaState, index: number, key: Uint8Array): string | undefined {
  const type = lua.lua_getfield(L, index, key);
  const value = type === lua.LUA_TSTRING ? lua.lua_tojsstring(L, -1) : undefined;
  lua.lua_pop(L, 1);
  return value;
}

/** The error reply of a failed script: `<message> script: <sha>, on @user_script:<line>.` */
function scriptError(L: LuaState, sha: string): ErrorReply {
  if (lua.lua_type(L, -1) !== lua.LUA_TTABLE) return new ErrorReply(`ERR ${lua.lua_tojsstring(L, -1)}`);
  const message = stringField(L, -1, K_ERR) ?? 'ERR unknown error';
  const source = stringField(L, -1, K_SOURCE);
  lua.lua_getfield(L, -1, K_LINE);
  const line = lua.lua_type(L, -1) === lua.LUA_TNUMBER ? lua.lua_tointeger(L, -1) : undefined;
  lua.lua_pop(L, 1);
  if (source === undefined || line === undefined) return new ErrorReply(message);
  return new ErrorReply(`${message} script: ${sha}, on ${source}:${line}.`);
}
