/**
 * fengari's build settings, read once when fengari loads (from FENGARICONF): imported before
 * fengari by lua-scripting.ts. `LUA_COMPAT_FLOATSTRING` makes `..` and `tostring` print an
 * integral float as Lua 5.1 (Redis) does, `2` and not `2.0`: the relay's fencing tokens are
 * `<holder>:<fence>` with a fence seeded from the Redis clock in ms, past fengari's 32-bit
 * integers, so it is a float in fengari and `holder .. ':' .. fence` must not read `…124.0`.
 */
const conf = JSON.parse(process.env.FENGARICONF ?? '{}') as Record<string, unknown>;
process.env.FENGARICONF = JSON.stringify({ ...conf, LUA_COMPAT_FLOATSTRING: true });
