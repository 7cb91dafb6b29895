/**
 * The Lua scripts of the relay. Each runs atomically in Redis, which is what makes the lease and
 * the fenced append safe: no other client's command can slip between the check and the write.
 * They are sent with EVALSHA and loaded on a NOSCRIPT answer (a restarted or flushed Redis).
 */
import { createHash } from 'node:crypto';
import { isReplyError, type RedisLink } from './redis-link';

/**
 * Acquire: `SET lease NX PX ttl`; on success the fencing token is `INCR fence` and the lease holds
 * `<holder>:<fence>`. A missing fence counter (a new relay, or a Redis restarted without
 * persistence, or a failover to a replica that never got it) is first seeded from the Redis clock
 * in ms (`TIME`), so a fencing token is never issued twice even when the counter was lost.
 * KEYS: lease, fence. ARGV: holder, ttlMs.
 * Returns the new fencing token, or `{0, pttl, holder}` when someone else holds the lease.
 */
export const ACQUIRE = `
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {0, redis.call('PTTL', KEYS[1]), redis.call('GET', KEYS[1])}
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[2], t[1] .. string.sub('00' .. math.floor(tonumber(t[2]) / 1000), -3))
end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. ':' .. fence, 'PX', ARGV[2])
return fence
`;

/**
 * Renew: extends the lease only if it still holds our token. After a failover to a replica that
 * never got the lease (or got an older fence), the lease is missing: when no newer fence was
 * issued meanwhile it is restored with our token (and the fence counter raised to ours), so the
 * leader keeps its term and re-appends what the new primary lacks.
 * KEYS: lease, fence. ARGV: token (`<holder>:<fence>`), ttlMs.
 * Returns 1 (renewed), 2 (restored after a failover) or 0 (lost: another token or a newer fence).
 */
export const RENEW = `
local current = redis.call('GET', KEYS[1])
if current == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
if current then return 0 end
local ours = tonumber(string.match(ARGV[1], ':(%d+)$'))
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
if ours == nil or fence > ours then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if fence < ours then redis.call('SET', KEYS[2], tostring(string.match(ARGV[1], ':(%d+)$'))) end
return 2
`;

/** Release: deletes the lease only if it holds our token. KEYS: lease. ARGV: token. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/**
 * The fenced append. KEYS: lease, fence, stream, head, fenced.
 * ARGV: token, fence, batch id, maxLen ('' = none), maxAgeMs ('' = none), then 5 values per entry:
 * session_id, seq, action, user_id, data.
 *
 * Refuses the whole batch (adds its size to `fenced`, returns -1) unless the lease still holds the
 * writer's token AND its fence is the newest one issued. When the lease is missing and no newer
 * fence was issued (a failover to a replica that lacks it) it returns -2 without counting: the
 * writer has the lease restored (RENEW) and sends the batch again. So a leader paused past its lease (a
 * "zombie") cannot write after it lost the lease, whether or not another relay took over yet.
 * The check runs once per batch: the script is atomic, so no other client runs in between.
 * A batch whose id equals the last one written is a retry after a lost reply: it is not written
 * again (returns 0). Batch ids are `<token>:<n>` and batch n is sent only once n − 1 was written,
 * so a head that does not name batch n − 1 means Redis lost this term's last writes (a failover to
 * a replica that had not received them): a `gap` entry (`{ to }` = the seq before the batch's first,
 * so a relayStream that applied everything up to it drops it as already seen) goes first, so
 * readers that had not read the lost entries know they missed updates (found by the relay
 * simulation, test/sim/relay/).
 * Each entry gets `index` = previous + 1, so readers detect trimmed entries.
 * A session that ended is marked: the head keeps the session and seq of the last entry written;
 * the first entry of another session (its `session_start`, normally) is preceded by a `gap` entry
 * of the ended session, `seq` and `{ from }` = its last seq in the stream + 1, `ended: true`. What
 * that session's upstream sent after it (the unconfirmed or unsent tail of a leader that died, or
 * what came after the relay stopped reading) is missing from `from` to the session's last update,
 * which nobody can name (the upstream replays nothing and reports no last seq); no later entry
 * belongs to it. Updates made between two sessions carry no seq: the new `session_start` covers them.
 * Retention is applied once per batch, after its entries (approximate trimming, `~`, removes whole
 * stream nodes, so the bound is "about", as with XADD MAXLEN ~).
 * Returns the number of entries written.
 */
export const APPEND = `
local n = (#ARGV - 5) / 5
local lease = redis.call('GET', KEYS[1])
if lease ~= ARGV[1] or redis.call('GET', KEYS[2]) ~= ARGV[2] then
  if not lease and tonumber(redis.call('GET', KEYS[2]) or '0') <= tonumber(ARGV[2]) then return -2 end
  redis.call('INCRBY', KEYS[5], n)
  return -1
end
local head = redis.call('HMGET', KEYS[4], 'index', 'batch', 'session', 'seq')
if head[2] == ARGV[3] then return 0 end
local index = tonumber(head[1]) or 0
local stream, fence = KEYS[3], ARGV[2]
local session, last = head[3] or '', tonumber(head[4]) or 0
local function put(sid, seq, action, user, data)
  if sid ~= '' and sid ~= session then
    if session ~= '' then
      local from = string.format('%d', last + 1)
      index = index + 1
      redis.call('XADD', stream, '*', 'session_id', session, 'seq', from, 'fence', fence,
        'action', 'gap', 'user_id', '', 'data', '{"from":' .. from .. ',"ended":true}', 'index', index)
    end
    session, last = sid, 0
  end
  index = index + 1
  redis.call('XADD', stream, '*', 'session_id', sid, 'seq', seq, 'fence', fence,
    'action', action, 'user_id', user, 'data', data, 'index', index)
  local q = tonumber(seq)
  if sid == session and q and q > last then last = q end
end
local number = tonumber(string.match(ARGV[3], ':(%d+)$') or '')
if number and number > 1 and head[2] ~= ARGV[1] .. ':' .. tostring(number - 1) then
  local first = tonumber(ARGV[7]) or 0
  put(ARGV[6], ARGV[7], 'gap', '', first > 1 and ('{"to":' .. string.format('%d', first - 1) .. '}') or '{}')
end
for i = 6, #ARGV, 5 do
  put(ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3], ARGV[i + 4])
end
redis.call('HSET', KEYS[4], 'index', index, 'batch', ARGV[3], 'session', session, 'seq', last)
if ARGV[4] ~= '' then
  redis.call('XTRIM', stream, 'MAXLEN', '~', ARGV[4])
end
if ARGV[5] ~= '' then
  local t = redis.call('TIME')
  local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('XTRIM', stream, 'MINID', '~', tostring(nowMs - tonumber(ARGV[5])))
end
return n
`;

/**
 * A consumer group's acknowledgement of a handled entry: records its idempotency key
 * (`session_id:seq`) in the group's done set, bounded to its newest `max` keys, and `XACK`s it.
 * KEYS: done (a sorted set), stream. ARGV: group, entry id, key, now ms, max.
 * The done set is what drops an update delivered again under another entry id (re-appended after
 * a failover) or whose XACK a failover lost (consumer-group state can regress: redis/redis#5433).
 */
export const GROUP_ACK = `
redis.call('ZADD', KEYS[1], ARGV[4], ARGV[3])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[5]) - 1)
return redis.call('XACK', KEYS[2], ARGV[1], ARGV[2])
`;

const shaOf = (script: string) => createHash('sha1').update(script).digest('hex');
const SHAS = new Map<string, string>();

function shaOfScript(script: string): string {
  let sha = SHAS.get(script);
  if (sha === undefined) {
    sha = shaOf(script);
    SHAS.set(script, sha);
  }
  return sha;
}

/**
 * The EVALSHA command of a script, as one array: `EVALSHA sha numkeys ...keys ...args`. The
 * writer keeps appending an append batch's entries to this same array (no copy per batch).
 */
export function scriptCommand(script: string, keys: readonly string[], args: readonly string[]): string[] {
  return ['EVALSHA', shaOfScript(script), String(keys.length), ...keys, ...args];
}

/** Sends a command built by {@link scriptCommand}; on NOSCRIPT (a restarted or flushed Redis) sends it as EVAL. */
export async function sendScript(
  link: RedisLink,
  script: string,
  command: string[],
  timeoutMs: number,
): Promise<unknown> {
  try {
    return await link.send(command, timeoutMs);
  } catch (error) {
    if (!isReplyError(error) || !String((error as Error).message).startsWith('NOSCRIPT')) throw error;
    const asEval = command.slice();
    asEval[0] = 'EVAL';
    asEval[1] = script;
    return link.send(asEval, timeoutMs);
  }
}

/** Runs a script by its SHA1, loading it when Redis does not know it yet. */
export function runScript(
  link: RedisLink,
  {
    script,
    keys,
    args,
    timeoutMs,
  }: { script: string; keys: readonly string[]; args: readonly string[]; timeoutMs: number },
): Promise<unknown> {
  return sendScript(link, script, scriptCommand(script, keys, args), timeoutMs);
}
