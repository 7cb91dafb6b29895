/**
 * An in-memory model of exactly the Redis commands the relay uses (src/relay/*.ts, the scripts of
 * src/relay/scripts.ts included), deterministic: its clock is a function it is given (the
 * simulation's virtual clock). Scripts run in fengari (lua-scripting.ts), not rewritten.
 *
 * Commands: EVAL, EVALSHA, SCRIPT LOAD|EXISTS|FLUSH, GET, SET (NX|XX, PX|EX), EXISTS, PTTL,
 * PEXPIRE, DEL, INCR, INCRBY, HGET, HMGET, HSET, ZADD (score member pairs), ZREMRANGEBYRANK,
 * ZSCORE, TIME, WAIT, ROLE, PING, XADD, XTRIM (MAXLEN|MINID, = or ~, LIMIT), XRANGE, XREVRANGE,
 * XREAD (COUNT, BLOCK, STREAMS), XGROUP CREATE (MKSTREAM), XREADGROUP (COUNT, BLOCK, STREAMS, `>`
 * or a pending id), XACK, XAUTOCLAIM (COUNT), XLEN.
 *
 * Replication is modelled only as far as the relay sees it: `replicas` attached, of which
 * `acknowledging` confirm writes (WAIT's answer; default all of them), and ROLE says `master`.
 *
 * Streams keep Redis's node structure (entries packed into nodes of at most `nodeMaxEntries`, the
 * server's `stream-node-max-entries`; the byte limit, `stream-node-max-bytes`, is not modelled:
 * the comparison test runs redis-server with it off), because approximate trimming (`~`) removes
 * whole nodes only, and that decides which entries readers see.
 *
 * Failover: every write command keeps an undo record of the keys it changed (the last
 * `undoDepth` ones), so {@link RedisModel.failover} can lose the last k acknowledged writes, as
 * a promoted replica that had not received them would.
 */
import { formatLuaNumber, LuaScripting, sha1 } from './lua-scripting';
import { ErrorReply, type Reply, Status } from './replies';

interface StreamId {
  ms: number;
  seq: number;
}
interface StreamEntry {
  id: StreamId;
  key: string;
  fields: string[];
}
interface StreamNode {
  entries: StreamEntry[];
  /** Entries deleted inside the node (exact trimming): they still count towards the node's size. */
  deleted: number;
}
interface PendingEntry {
  id: StreamId;
  consumer: string;
  deliveredAt: number;
  count: number;
}
interface ConsumerGroup {
  lastDelivered: StreamId;
  /** By entry id text; kept sorted by id when read. */
  pel: Map<string, PendingEntry>;
  consumers: Map<string, number>;
}
interface StringValue {
  type: 'string';
  value: string;
}
interface HashValue {
  type: 'hash';
  fields: Map<string, string>;
}
interface SortedSetValue {
  type: 'zset';
  /** Member → score. */
  members: Map<string, number>;
}
interface StreamValue {
  type: 'stream';
  nodes: StreamNode[];
  length: number;
  lastId: StreamId;
  groups: Map<string, ConsumerGroup>;
}
type Value = StringValue | HashValue | SortedSetValue | StreamValue;
interface KeyEntry {
  value: Value;
  /** Absolute expiry in ms on the model's clock. */
  expireAt: number | undefined;
}

/** What a blocking command tells its connection: retry when `key` is written, or answer `timeout` after `ms`. */
export interface Blocked {
  blocked: true;
  key: string;
  ms: number;
  /** The reply when the block times out. */
  timeout: Reply;
  /** The same command without blocking; `undefined` while it would still block. */
  retry(): Reply | undefined;
}

/** Settings of a model. */
export interface RedisModelOptions {
  /** The clock (ms since the epoch): the simulation's virtual clock. */
  now: () => number;
  /** `stream-node-max-entries` (Redis's default: 100). */
  nodeMaxEntries?: number;
  /** How many recent writes can be undone by a failover (default 32). */
  undoDepth?: number;
  /** Replicas attached (ROLE lists them; default 0, a lone server). */
  replicas?: number;
  /** How many of them acknowledge writes (WAIT's answer); default: all of them. */
  acknowledging?: number;
}

/** One executed write: what it changed, to undo it. */
interface UndoRecord {
  /** Per key changed: how to put back its value as it was before (undefined: it did not exist). */
  keys: Map<string, (() => KeyEntry) | undefined>;
}

/** A write seen by {@link RedisModel.onWrite} observers: the command and the keys it changed. */
export interface WriteEvent {
  args: readonly string[];
  keys: readonly string[];
}

const WRONGTYPE = 'WRONGTYPE Operation against a key holding the wrong kind of value';
const NOT_INTEGER = 'ERR value is not an integer or out of range';
const SYNTAX = 'ERR syntax error';
const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Minimum argument counts (with the command name); negative: at least, positive: exactly (Redis's arity). */
const ARITY: Record<string, number> = {
  EVAL: -3,
  EVALSHA: -3,
  SCRIPT: -2,
  GET: 2,
  SET: -3,
  PTTL: 2,
  PEXPIRE: -3,
  DEL: -2,
  INCR: 2,
  INCRBY: 3,
  EXISTS: -2,
  ZADD: -4,
  ZREMRANGEBYRANK: 4,
  ZSCORE: 3,
  ROLE: 1,
  HGET: 3,
  HMGET: -3,
  HSET: -4,
  TIME: 1,
  WAIT: 3,
  PING: -1,
  XADD: -5,
  XTRIM: -4,
  XRANGE: -4,
  XREVRANGE: -4,
  XREAD: -4,
  XGROUP: -2,
  XREADGROUP: -7,
  XACK: -4,
  XAUTOCLAIM: -6,
  XLEN: 2,
  FLUSHALL: -1,
};

/** Commands a script may not call. */
const NOT_IN_SCRIPTS = new Set(['EVAL', 'EVALSHA', 'SCRIPT', 'WAIT']);
const NOT_FLOAT = 'ERR value is not a valid float';

const idText = (id: StreamId) => `${id.ms}-${id.seq}`;
const compare = (a: StreamId, b: StreamId) => (a.ms !== b.ms ? a.ms - b.ms : a.seq - b.seq);

function parseId(text: string, missingSeq: number): StreamId | undefined {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]);
  const seq = m[2] === undefined ? missingSeq : Number(m[2]);
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(seq)) return undefined;
  return { ms, seq };
}

function parseInteger(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

const entryReply = (entry: StreamEntry): Reply => [entry.key, entry.fields.slice()];

/**
 * What it takes to put a value back as it is now. Cheap for streams, which only grow at their
 * last node (pushed in place) and shrink at their first (whose entry array is replaced, never
 * changed in place): the node list, the first node's array and size, the last node's size and the
 * consumer groups are saved, not the entries themselves. Pending entries are replaced, never
 * changed in place, so a group's PEL is saved as a copy of its map.
 */
function snapshot(entry: KeyEntry): () => KeyEntry {
  const { value, expireAt } = entry;
  if (value.type === 'string') {
    const saved = { ...value };
    return () => ({ value: saved, expireAt });
  }
  if (value.type === 'hash') {
    const fields = new Map(value.fields);
    return () => ({ value: { type: 'hash', fields }, expireAt });
  }
  if (value.type === 'zset') {
    const members = new Map(value.members);
    return () => ({ value: { type: 'zset', members }, expireAt });
  }
  const nodes = value.nodes.slice();
  const first = nodes[0];
  const firstEntries = first?.entries;
  const firstLength = first?.entries.length ?? 0;
  const firstDeleted = first?.deleted ?? 0;
  const last = nodes[nodes.length - 1];
  const lastLength = last?.entries.length ?? 0;
  const lastDeleted = last?.deleted ?? 0;
  const { length, lastId } = value;
  const groups = new Map<string, ConsumerGroup>();
  for (const [name, g] of value.groups) {
    groups.set(name, {
      lastDelivered: g.lastDelivered,
      pel: new Map(g.pel),
      consumers: new Map(g.consumers),
    });
  }
  return () => {
    // Newer writes were undone first: arrays saved here only grew at their end since.
    if (first && firstEntries) {
      first.entries = firstEntries;
      first.entries.length = firstLength;
      first.deleted = firstDeleted;
    }
    if (last) {
      last.entries.length = lastLength;
      last.deleted = lastDeleted;
    }
    return { value: { type: 'stream', nodes: nodes.slice(), length, lastId, groups }, expireAt };
  };
}

/** The simulated Redis server. */
export class RedisModel {
  private keyspace = new Map<string, KeyEntry>();
  readonly scripting: LuaScripting;
  private readonly nodeMaxEntries: number;
  private readonly undoDepth: number;
  replicas: number;
  /** Replicas that acknowledge writes (WAIT); `undefined`: all of {@link replicas}. */
  acknowledging: number | undefined;
  private readonly undo: UndoRecord[] = [];
  /** The record of the command running now (undefined outside of one). */
  private current: UndoRecord | undefined;
  private inScript = false;
  private readonly writeListeners = new Set<(event: WriteEvent) => void>();
  /** Sees every command a script ran, with its reply, as it runs (invariant checks inside a script). */
  scriptObserver: ((args: readonly string[], reply: Reply) => void) | undefined;
  /** Writes executed since start (the acknowledged ones, once their reply is delivered). */
  writes = 0;
  /**
   * Whether writes keep undo records. A run that plans no further {@link failover} turns it off:
   * a record copies part of the key it changes, on every write, and would never be read.
   */
  keepUndo = true;

  constructor(private readonly options: RedisModelOptions) {
    this.nodeMaxEntries = options.nodeMaxEntries ?? 100;
    this.undoDepth = options.undoDepth ?? 32;
    this.replicas = options.replicas ?? 0;
    this.acknowledging = options.acknowledging;
    this.scripting = new LuaScripting({ callFromScript: (args) => this.callFromScript(args) });
  }

  /** The model's clock, in ms. */
  now(): number {
    return this.options.now();
  }

  /** Observes every write command after it ran (blocked readers wake on it; invariants check it). */
  onWrite(listener: (event: WriteEvent) => void): () => void {
    this.writeListeners.add(listener);
    return () => this.writeListeners.delete(listener);
  }

  /**
   * A failover to a replica that had not received the last `k` writes: they are undone (at most
   * `undoDepth`), and the new primary knows no scripts. Returns how many writes were lost.
   */
  failover(k: number): number {
    let lost = 0;
    while (lost < k && this.undo.length > 0) {
      const record = this.undo.pop() as UndoRecord;
      for (const [key, restore] of record.keys) {
        if (restore === undefined) this.keyspace.delete(key);
        else this.keyspace.set(key, restore());
      }
      lost++;
    }
    this.undo.length = 0;
    this.scripting.flush();
    return lost;
  }

  /** A read-only look at a string key (invariant checks; no expiry side effect). */
  peekString(key: string): string | undefined {
    const entry = this.keyspace.get(key);
    if (!entry || (entry.expireAt !== undefined && this.now() > entry.expireAt)) return undefined;
    return entry.value.type === 'string' ? entry.value.value : undefined;
  }

  /** Runs one command from a client. A blocking read with nothing to read returns {@link Blocked}. */
  execute(args: readonly string[]): Reply | Blocked {
    const name = (args[0] ?? '').toUpperCase();
    const arity = ARITY[name];
    if (arity === undefined)
      return new ErrorReply(`ERR unknown command '${args[0] ?? ''}', with args beginning with: `);
    if ((arity > 0 && args.length !== arity) || (arity < 0 && args.length < -arity))
      return new ErrorReply(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
    return this.run(name, args);
  }

  /** A command issued by a script: same commands, script-flavoured errors. */
  private callFromScript(args: string[]): Reply {
    const name = (args[0] ?? '').toUpperCase();
    const arity = ARITY[name];
    if (arity === undefined || NOT_IN_SCRIPTS.has(name))
      return new ErrorReply('ERR Unknown Redis command called from script');
    if ((arity > 0 && args.length !== arity) || (arity < 0 && args.length < -arity))
      return new ErrorReply('ERR Wrong number of args calling Redis command from script');
    const result = this.dispatch(name, args, false);
    const reply = isBlocked(result) ? (result.retry() ?? result.timeout) : result;
    this.scriptObserver?.(args, reply);
    return reply;
  }

  /** One top-level command, with its undo record and write notification. */
  private run(name: string, args: readonly string[]): Reply | Blocked {
    const record: UndoRecord = { keys: new Map() };
    this.current = record;
    let reply: Reply | Blocked;
    try {
      reply = this.dispatch(name, args, true);
    } finally {
      this.current = undefined;
    }
    if (record.keys.size > 0) {
      this.writes++;
      this.remember(record);
      const event: WriteEvent = { args, keys: [...record.keys.keys()] };
      for (const listener of [...this.writeListeners]) listener(event);
    }
    return reply;
  }

  /** Keeps a write's undo record (the last `undoDepth` of them), unless undo is off. */
  private remember(record: UndoRecord): void {
    if (!this.keepUndo) {
      this.undo.length = 0;
      return;
    }
    this.undo.push(record);
    if (this.undo.length > this.undoDepth) this.undo.shift();
  }

  // ---- keyspace -------------------------------------------------------------------------------

  /** The live entry of a key (an expired key is deleted first, as Redis does on access). */
  private lookup(key: string): KeyEntry | undefined {
    const entry = this.keyspace.get(key);
    if (entry && entry.expireAt !== undefined && this.now() > entry.expireAt) {
      this.touch(key);
      this.keyspace.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Before changing a key: remembers what it was (once per command) for a failover's undo. */
  private touch(key: string): void {
    const record = this.current;
    if (!record || record.keys.has(key)) return;
    const entry = this.keyspace.get(key);
    record.keys.set(key, entry && this.keepUndo ? snapshot(entry) : undefined);
  }

  private typed<T extends Value['type']>(
    key: string,
    type: T,
  ): Extract<Value, { type: T }> | undefined | ErrorReply {
    const entry = this.lookup(key);
    if (!entry) return undefined;
    if (entry.value.type !== type) return new ErrorReply(WRONGTYPE);
    return entry.value as Extract<Value, { type: T }>;
  }

  /** A key's value to change (snapshot taken); created when missing. */
  private writable<T extends Value['type']>(
    key: string,
    type: T,
    create: () => Extract<Value, { type: T }>,
  ): Extract<Value, { type: T }> | ErrorReply {
    const found = this.typed(key, type);
    if (found instanceof ErrorReply) return found;
    this.touch(key);
    if (found) return found;
    const value = create();
    this.keyspace.set(key, { value, expireAt: undefined });
    return value;
  }

  private setString(key: string, value: string, expireAt: number | undefined): void {
    this.touch(key);
    this.keyspace.set(key, { value: { type: 'string', value }, expireAt });
  }

  // ---- dispatch -------------------------------------------------------------------------------

  private dispatch(name: string, a: readonly string[], topLevel: boolean): Reply | Blocked {
    switch (name) {
      case 'PING':
        return a.length > 1 ? (a[1] as string) : new Status('PONG');
      case 'EVAL':
      case 'EVALSHA':
        return this.evaluate(name, a);
      case 'SCRIPT':
        return this.script(a);
      case 'GET': {
        const v = this.typed(a[1] as string, 'string');
        return v instanceof ErrorReply ? v : (v?.value ?? null);
      }
      case 'SET':
        return this.set(a);
      case 'PTTL': {
        const entry = this.lookup(a[1] as string);
        if (!entry) return -2;
        return entry.expireAt === undefined ? -1 : Math.max(0, entry.expireAt - this.now());
      }
      case 'PEXPIRE': {
        const ms = parseInteger(a[2]);
        if (ms === undefined) return new ErrorReply(NOT_INTEGER);
        if (a.length > 3) return new ErrorReply(`ERR Unsupported option ${a[3]}`);
        const entry = this.lookup(a[1] as string);
        if (!entry) return 0;
        this.touch(a[1] as string);
        if (ms <= 0) {
          this.keyspace.delete(a[1] as string);
          return 1;
        }
        entry.expireAt = this.now() + ms;
        return 1;
      }
      case 'DEL': {
        let n = 0;
        for (const key of a.slice(1))
          if (this.lookup(key)) {
            this.touch(key);
            this.keyspace.delete(key);
            n++;
          }
        return n;
      }
      case 'INCR':
      case 'INCRBY': {
        const by = name === 'INCR' ? 1 : parseInteger(a[2]);
        if (by === undefined) return new ErrorReply(NOT_INTEGER);
        const key = a[1] as string;
        const v = this.typed(key, 'string');
        if (v instanceof ErrorReply) return v;
        const current = v === undefined ? 0 : parseInteger(v.value);
        if (current === undefined) return new ErrorReply(NOT_INTEGER);
        const next = current + by;
        const expireAt = this.keyspace.get(key)?.expireAt;
        this.setString(key, String(next), v === undefined ? undefined : expireAt);
        return next;
      }
      case 'HGET': {
        const h = this.typed(a[1] as string, 'hash');
        return h instanceof ErrorReply ? h : (h?.fields.get(a[2] as string) ?? null);
      }
      case 'HMGET': {
        const h = this.typed(a[1] as string, 'hash');
        if (h instanceof ErrorReply) return h;
        return a.slice(2).map((f) => h?.fields.get(f) ?? null);
      }
      case 'HSET': {
        if (a.length % 2 !== 0) return new ErrorReply("ERR wrong number of arguments for 'hset' command");
        const h = this.writable(a[1] as string, 'hash', () => ({ type: 'hash', fields: new Map() }));
        if (h instanceof ErrorReply) return h;
        let added = 0;
        for (let i = 2; i < a.length; i += 2) {
          if (!h.fields.has(a[i] as string)) added++;
          h.fields.set(a[i] as string, a[i + 1] as string);
        }
        return added;
      }
      case 'TIME': {
        const now = this.now();
        return [String(Math.floor(now / 1000)), String((now % 1000) * 1000)];
      }
      case 'WAIT': {
        const wanted = parseInteger(a[1]);
        const ms = parseInteger(a[2]);
        if (wanted === undefined || ms === undefined) return new ErrorReply(NOT_INTEGER);
        if (ms < 0) return new ErrorReply('ERR timeout is negative');
        const acked = Math.min(this.replicas, this.acknowledging ?? this.replicas);
        if (acked >= wanted || !topLevel) return acked;
        return { blocked: true, key: '', ms, timeout: acked, retry: () => undefined };
      }
      case 'ROLE': {
        const offset = this.replicas > 0 ? this.writes : 0;
        const replicas: Reply[] = [];
        for (let i = 0; i < this.replicas; i++)
          replicas.push(['127.0.0.1', String(6380 + i), String(offset)]);
        return ['master', offset, replicas];
      }
      case 'EXISTS': {
        let n = 0;
        for (const key of a.slice(1)) if (this.lookup(key)) n++;
        return n;
      }
      case 'ZADD':
        return this.zadd(a);
      case 'ZREMRANGEBYRANK':
        return this.zremrangebyrank(a);
      case 'ZSCORE': {
        const z = this.typed(a[1] as string, 'zset');
        if (z instanceof ErrorReply) return z;
        const score = z?.members.get(a[2] as string);
        return score === undefined ? null : formatScore(score);
      }
      case 'FLUSHALL':
        for (const key of this.keyspace.keys()) this.touch(key);
        this.keyspace.clear();
        return new Status('OK');
      case 'XLEN': {
        const s = this.typed(a[1] as string, 'stream');
        return s instanceof ErrorReply ? s : (s?.length ?? 0);
      }
      case 'XADD':
        return this.xadd(a);
      case 'XTRIM':
        return this.xtrim(a);
      case 'XRANGE':
      case 'XREVRANGE':
        return this.xrange(a, name === 'XREVRANGE');
      case 'XREAD':
        return this.xread(a, topLevel);
      case 'XGROUP':
        return this.xgroup(a);
      case 'XREADGROUP':
        return this.xreadgroup(a, topLevel);
      case 'XACK':
        return this.xack(a);
      case 'XAUTOCLAIM':
        return this.xautoclaim(a);
      default:
        return new ErrorReply(`ERR unknown command '${a[0]}'`);
    }
  }

  private evaluate(name: string, a: readonly string[]): Reply {
    if (this.inScript) return new ErrorReply('ERR This Redis command is not allowed from script');
    const numkeys = parseInteger(a[2]);
    if (numkeys === undefined) return new ErrorReply(NOT_INTEGER);
    if (numkeys < 0) return new ErrorReply("ERR Number of keys can't be negative");
    if (numkeys > a.length - 3)
      return new ErrorReply("ERR Number of keys can't be greater than number of args");
    let sha = (a[1] as string).toLowerCase();
    if (name === 'EVAL') {
      const loaded = this.scripting.load(a[1] as string);
      if (loaded instanceof ErrorReply) return loaded;
      sha = loaded;
    } else if (!this.scripting.has(sha))
      return new ErrorReply('NOSCRIPT No matching script. Please use EVAL.');
    this.inScript = true;
    try {
      return this.scripting.run(sha, a.slice(3, 3 + numkeys), a.slice(3 + numkeys));
    } finally {
      this.inScript = false;
    }
  }

  private script(a: readonly string[]): Reply {
    const sub = (a[1] ?? '').toUpperCase();
    if (sub === 'LOAD' && a.length === 3) return this.scripting.load(a[2] as string);
    if (sub === 'EXISTS') return a.slice(2).map((sha) => (this.scripting.has(sha.toLowerCase()) ? 1 : 0));
    if (sub === 'FLUSH') {
      this.scripting.flush();
      return new Status('OK');
    }
    return new ErrorReply(`ERR unknown subcommand '${a[1]}'. Try SCRIPT HELP.`);
  }

  private set(a: readonly string[]): Reply {
    const key = a[1] as string;
    let nx = false;
    let xx = false;
    let ttl: number | undefined;
    for (let i = 3; i < a.length; i++) {
      const opt = (a[i] as string).toUpperCase();
      if (opt === 'NX' && !xx) nx = true;
      else if (opt === 'XX' && !nx) xx = true;
      else if ((opt === 'PX' || opt === 'EX') && ttl === undefined && i + 1 < a.length) {
        const n = parseInteger(a[++i]);
        if (n === undefined) return new ErrorReply(NOT_INTEGER);
        if (n <= 0) return new ErrorReply("ERR invalid expire time in 'set' command");
        ttl = opt === 'PX' ? n : n * 1000;
      } else return new ErrorReply(SYNTAX);
    }
    const exists = this.lookup(key) !== undefined;
    if ((nx && exists) || (xx && !exists)) return null;
    this.setString(key, a[2] as string, ttl === undefined ? undefined : this.now() + ttl);
    return new Status('OK');
  }

  // ---- sorted sets ----------------------------------------------------------------------------

  /** ZADD key score member [score member ...] (no flags: the relay sends none). */
  private zadd(a: readonly string[]): Reply {
    if ((a.length - 2) % 2 !== 0) return new ErrorReply(SYNTAX);
    const pairs: [number, string][] = [];
    for (let i = 2; i < a.length; i += 2) {
      const score = parseScore(a[i] as string);
      if (score === undefined) return new ErrorReply(NOT_FLOAT);
      pairs.push([score, a[i + 1] as string]);
    }
    const z = this.writable(a[1] as string, 'zset', () => ({ type: 'zset', members: new Map() }));
    if (z instanceof ErrorReply) return z;
    let added = 0;
    for (const [score, member] of pairs) {
      if (!z.members.has(member)) added++;
      z.members.set(member, score);
    }
    return added;
  }

  /** ZREMRANGEBYRANK key start stop: ranks by (score, member), negative from the end. */
  private zremrangebyrank(a: readonly string[]): Reply {
    let start = parseInteger(a[2]);
    let stop = parseInteger(a[3]);
    if (start === undefined || stop === undefined) return new ErrorReply(NOT_INTEGER);
    const key = a[1] as string;
    const z = this.typed(key, 'zset');
    if (z instanceof ErrorReply) return z;
    if (!z) return 0;
    const size = z.members.size;
    if (start < 0) start += size;
    if (stop < 0) stop += size;
    if (start < 0) start = 0;
    if (start > stop || start >= size) return 0;
    if (stop >= size) stop = size - 1;
    const ranked = [...z.members].sort(([ma, sa], [mb, sb]) => sa - sb || (ma < mb ? -1 : ma > mb ? 1 : 0));
    this.touch(key);
    for (let i = start; i <= stop; i++) z.members.delete((ranked[i] as [string, number])[0]);
    if (z.members.size === 0) this.keyspace.delete(key);
    return stop - start + 1;
  }

  // ---- streams --------------------------------------------------------------------------------

  private *entries(s: StreamValue, reverse = false): Generator<StreamEntry> {
    if (!reverse) {
      for (const node of s.nodes) yield* node.entries;
      return;
    }
    for (let n = s.nodes.length - 1; n >= 0; n--) {
      const node = s.nodes[n] as StreamNode;
      for (let i = node.entries.length - 1; i >= 0; i--) yield node.entries[i] as StreamEntry;
    }
  }

  /** Entries with an id greater than `after`, in order (found by binary search, not a scan). */
  private *entriesAfter(s: StreamValue, after: StreamId): Generator<StreamEntry> {
    const nodes = s.nodes;
    let lo = 0;
    let hi = nodes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const node = nodes[mid] as StreamNode;
      const last = node.entries[node.entries.length - 1];
      if (last === undefined || compare(last.id, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    for (let n = lo; n < nodes.length; n++) {
      const entries = (nodes[n] as StreamNode).entries;
      let i = 0;
      if (n === lo) {
        let a = 0;
        let b = entries.length;
        while (a < b) {
          const mid = (a + b) >> 1;
          if (compare((entries[mid] as StreamEntry).id, after) <= 0) a = mid + 1;
          else b = mid;
        }
        i = a;
      }
      for (; i < entries.length; i++) yield entries[i] as StreamEntry;
    }
  }

  private findEntry(s: StreamValue, id: StreamId): StreamEntry | undefined {
    for (const e of this.entriesAfter(
      s,
      id.seq > 0 ? { ms: id.ms, seq: id.seq - 1 } : { ms: id.ms - 1, seq: MAX_SEQ },
    ))
      return compare(e.id, id) === 0 ? e : undefined;
    return undefined;
  }

  private xadd(a: readonly string[]): Reply {
    const key = a[1] as string;
    let i = 2;
    let trim: string[] | undefined;
    const opt = (a[i] as string).toUpperCase();
    if (opt === 'MAXLEN' || opt === 'MINID') {
      trim = [opt];
      i++;
      if (a[i] === '~' || a[i] === '=') trim.push(a[i++] as string);
      trim.push(a[i++] as string);
    }
    const idArg = a[i++] as string;
    if ((a.length - i) % 2 !== 0 || a.length - i === 0)
      return new ErrorReply("ERR wrong number of arguments for 'xadd' command");
    const s = this.typed(key, 'stream');
    if (s instanceof ErrorReply) return s;
    let id: StreamId;
    const last = s?.lastId ?? { ms: 0, seq: 0 };
    if (idArg === '*') {
      const ms = this.now();
      id = ms > last.ms ? { ms, seq: 0 } : { ms: last.ms, seq: last.seq + 1 };
    } else {
      const parsed = parseId(idArg, 0);
      if (!parsed) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
      if (parsed.ms === 0 && parsed.seq === 0)
        return new ErrorReply('ERR The ID specified in XADD must be greater than 0-0');
      if (compare(parsed, last) <= 0)
        return new ErrorReply(
          'ERR The ID specified in XADD is equal or smaller than the target stream top item',
        );
      id = parsed;
    }
    const stream = this.writable(key, 'stream', emptyStream) as StreamValue;
    let node = stream.nodes[stream.nodes.length - 1];
    if (!node || node.entries.length + node.deleted >= this.nodeMaxEntries) {
      node = { entries: [], deleted: 0 };
      stream.nodes.push(node);
    }
    const entry: StreamEntry = { id, key: idText(id), fields: a.slice(i) };
    node.entries.push(entry);
    stream.length++;
    stream.lastId = id;
    if (trim) {
      const result = this.trim(stream, trim);
      if (result instanceof ErrorReply) return result;
    }
    return entry.key;
  }

  private xtrim(a: readonly string[]): Reply {
    const s = this.typed(a[1] as string, 'stream');
    if (s instanceof ErrorReply) return s;
    const check = this.trim(undefined, a.slice(2));
    if (check instanceof ErrorReply || !s) return check instanceof ErrorReply ? check : 0;
    this.touch(a[1] as string);
    return this.trim(s, a.slice(2));
  }

  /** MAXLEN|MINID [=|~] threshold [LIMIT n]: Redis's streamTrim (whole nodes first; `~` stops at a node it cannot drop). */
  private trim(s: StreamValue | undefined, spec: readonly string[]): number | ErrorReply {
    const strategy = (spec[0] ?? '').toUpperCase();
    if (strategy !== 'MAXLEN' && strategy !== 'MINID') return new ErrorReply(SYNTAX);
    let i = 1;
    let approx = false;
    if (spec[i] === '~' || spec[i] === '=') approx = spec[i++] === '~';
    const threshold = spec[i++];
    let limit = approx ? this.nodeMaxEntries * 100 : 0;
    if ((spec[i] ?? '').toUpperCase() === 'LIMIT') {
      const n = parseInteger(spec[i + 1]);
      if (n === undefined || n < 0) return new ErrorReply(NOT_INTEGER);
      if (!approx)
        return new ErrorReply('ERR syntax error, LIMIT cannot be used without the special ~ option');
      limit = n;
      i += 2;
    }
    if (i !== spec.length) return new ErrorReply(SYNTAX);
    let maxLen = 0;
    let minId: StreamId = { ms: 0, seq: 0 };
    if (strategy === 'MAXLEN') {
      const n = parseInteger(threshold);
      if (n === undefined) return new ErrorReply(NOT_INTEGER);
      if (n < 0) return new ErrorReply('ERR The MAXLEN argument must be >= 0.');
      maxLen = n;
    } else {
      const id = threshold === undefined ? undefined : parseId(threshold, 0);
      if (!id) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
      minId = id;
    }
    if (!s) return 0;
    let deleted = 0;
    while (s.nodes.length > 0) {
      if (strategy === 'MAXLEN' && s.length <= maxLen) break;
      const node = s.nodes[0] as StreamNode;
      const entries = node.entries.length;
      if (limit && deleted + entries > limit) break;
      const lastEntry = node.entries[entries - 1];
      const removeNode =
        strategy === 'MAXLEN'
          ? s.length - entries >= maxLen
          : lastEntry === undefined || compare(lastEntry.id, minId) < 0;
      if (removeNode) {
        s.nodes.shift();
        s.length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      let removed = 0;
      while (removed < node.entries.length) {
        const first = node.entries[removed] as StreamEntry;
        if (strategy === 'MAXLEN' ? s.length <= maxLen : compare(first.id, minId) >= 0) break;
        removed++;
        node.deleted++;
        s.length--;
        deleted++;
      }
      // A new array, not a shift in place: an undo snapshot may hold the old one.
      if (removed > 0) node.entries = node.entries.slice(removed);
      break;
    }
    return deleted;
  }

  private xrange(a: readonly string[], reverse: boolean): Reply {
    const [startText, endText] = reverse ? [a[3], a[2]] : [a[2], a[3]];
    // `(id` is exclusive (Redis 6.2): the next id after it, or the one before it.
    const startOpen = (startText as string).startsWith('(');
    const endOpen = (endText as string).startsWith('(');
    let start =
      startText === '-' ? { ms: 0, seq: 0 } : parseId((startText as string).slice(startOpen ? 1 : 0), 0);
    let end =
      endText === '+'
        ? { ms: Number.MAX_SAFE_INTEGER, seq: MAX_SEQ }
        : parseId((endText as string).slice(endOpen ? 1 : 0), MAX_SEQ);
    if (!start || !end) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
    if (startOpen) {
      if (start.ms === Number.MAX_SAFE_INTEGER && start.seq === MAX_SEQ)
        return new ErrorReply('ERR invalid start ID for the interval');
      start = start.seq < MAX_SEQ ? { ms: start.ms, seq: start.seq + 1 } : { ms: start.ms + 1, seq: 0 };
    }
    if (endOpen) {
      if (end.ms === 0 && end.seq === 0) return new ErrorReply('ERR invalid end ID for the interval');
      end = end.seq > 0 ? { ms: end.ms, seq: end.seq - 1 } : { ms: end.ms - 1, seq: MAX_SEQ };
    }
    let count = Number.POSITIVE_INFINITY;
    if (a.length > 4) {
      if (a.length !== 6 || (a[4] as string).toUpperCase() !== 'COUNT') return new ErrorReply(SYNTAX);
      const n = parseInteger(a[5]);
      if (n === undefined) return new ErrorReply(NOT_INTEGER);
      count = Math.max(n, 0);
    }
    const s = this.typed(a[1] as string, 'stream');
    if (s instanceof ErrorReply) return s;
    const out: Reply[] = [];
    if (!s || count === 0) return out;
    const before = start.seq > 0 ? { ms: start.ms, seq: start.seq - 1 } : { ms: start.ms - 1, seq: MAX_SEQ };
    for (const e of reverse ? this.entries(s, true) : this.entriesAfter(s, before)) {
      if (compare(e.id, start) < 0) {
        if (reverse) break;
        continue;
      }
      if (compare(e.id, end) > 0) {
        if (reverse) continue;
        break;
      }
      out.push(entryReply(e));
      if (out.length >= count) break;
    }
    return out;
  }

  /** Parses `[COUNT n] [BLOCK ms] [NOACK] STREAMS key id` (one stream, as the relay reads). */
  private readOptions(
    a: readonly string[],
    from: number,
    group: boolean,
  ): { count: number; block: number | undefined; key: string; id: string } | ErrorReply {
    let count = Number.POSITIVE_INFINITY;
    let block: number | undefined;
    let i = from;
    for (; i < a.length; i++) {
      const opt = (a[i] as string).toUpperCase();
      if (opt === 'COUNT') {
        const n = parseInteger(a[++i]);
        if (n === undefined) return new ErrorReply(NOT_INTEGER);
        count = n <= 0 ? Number.POSITIVE_INFINITY : n;
      } else if (opt === 'BLOCK') {
        const n = parseInteger(a[++i]);
        if (n === undefined) return new ErrorReply('ERR timeout is not an integer or out of range');
        if (n < 0) return new ErrorReply('ERR timeout is negative');
        block = n;
      } else if (opt === 'NOACK' && group) {
      } else if (opt === 'STREAMS') break;
      else return new ErrorReply(SYNTAX);
    }
    const rest = a.length - i - 1;
    if (rest <= 0 || rest % 2 !== 0)
      return new ErrorReply(
        "ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.",
      );
    if (rest !== 2) return new ErrorReply('ERR the simulated Redis reads one stream at a time');
    return { count, block, key: a[i + 1] as string, id: a[i + 2] as string };
  }

  private xread(a: readonly string[], topLevel: boolean): Reply | Blocked {
    const o = this.readOptions(a, 1, false);
    if (o instanceof ErrorReply) return o;
    const s = this.typed(o.key, 'stream');
    if (s instanceof ErrorReply) return s;
    const after = o.id === '$' ? (s?.lastId ?? { ms: 0, seq: 0 }) : parseId(o.id, 0);
    if (!after) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
    const read = (): Reply | undefined => {
      const stream = this.typed(o.key, 'stream');
      if (stream instanceof ErrorReply) return stream;
      const out: Reply[] = [];
      if (stream)
        for (const e of this.entriesAfter(stream, after)) {
          out.push(entryReply(e));
          if (out.length >= o.count) break;
        }
      return out.length > 0 ? [[o.key, out]] : undefined;
    };
    const now = read();
    if (now !== undefined) return now;
    if (o.block === undefined || !topLevel) return null;
    return { blocked: true, key: o.key, ms: o.block, timeout: null, retry: read };
  }

  private group(
    key: string,
    name: string,
  ): { stream: StreamValue; group: ConsumerGroup } | ErrorReply | undefined {
    const s = this.typed(key, 'stream');
    if (s instanceof ErrorReply) return s;
    const group = s?.groups.get(name);
    return s && group ? { stream: s, group } : undefined;
  }

  private xgroup(a: readonly string[]): Reply {
    const sub = (a[1] ?? '').toUpperCase();
    if (sub !== 'CREATE') return new ErrorReply(`ERR unknown subcommand '${a[1]}'. Try XGROUP HELP.`);
    if (a.length < 5) return new ErrorReply("ERR wrong number of arguments for 'xgroup|create' command");
    const [, , key, name, idText_, ...opts] = a as string[];
    let mkstream = false;
    for (const opt of opts) {
      if (opt.toUpperCase() === 'MKSTREAM') mkstream = true;
      else return new ErrorReply(SYNTAX);
    }
    const s = this.typed(key as string, 'stream');
    if (s instanceof ErrorReply) return s;
    if (!s && !mkstream)
      return new ErrorReply(
        'ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.',
      );
    const id = idText_ === '$' ? (s?.lastId ?? { ms: 0, seq: 0 }) : parseId(idText_ as string, 0);
    if (!id) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
    if (s?.groups.has(name as string)) return new ErrorReply('BUSYGROUP Consumer Group name already exists');
    const stream = this.writable(key as string, 'stream', emptyStream) as StreamValue;
    stream.groups.set(name as string, { lastDelivered: id, pel: new Map(), consumers: new Map() });
    return new Status('OK');
  }

  private xreadgroup(a: readonly string[], topLevel: boolean): Reply | Blocked {
    if ((a[1] as string).toUpperCase() !== 'GROUP') return new ErrorReply(SYNTAX);
    const groupName = a[2] as string;
    const consumer = a[3] as string;
    const o = this.readOptions(a, 4, true);
    if (o instanceof ErrorReply) return o;
    const noGroup = new ErrorReply(
      `NOGROUP No such key '${o.key}' or consumer group '${groupName}' in XREADGROUP with GROUP option`,
    );
    const found = this.group(o.key, groupName);
    if (found instanceof ErrorReply) return found;
    if (!found) return noGroup;
    if (o.id !== '>') {
      const after = parseId(o.id, 0);
      if (!after) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
      this.touch(o.key);
      const { stream, group } = this.group(o.key, groupName) as { stream: StreamValue; group: ConsumerGroup };
      group.consumers.set(consumer, this.now());
      const pending = [...group.pel.values()]
        .filter((p) => p.consumer === consumer && compare(p.id, after) > 0)
        .sort((x, y) => compare(x.id, y.id));
      const out: Reply[] = [];
      for (const p of pending) {
        if (out.length >= o.count) break;
        const entry = this.findEntry(stream, p.id);
        if (entry) {
          group.pel.set(idText(p.id), { ...p, deliveredAt: this.now(), count: p.count + 1 });
          out.push(entryReply(entry));
        } else out.push([idText(p.id), null]);
      }
      return [[o.key, out]];
    }
    const read = (): Reply | undefined => {
      const current = this.group(o.key, groupName);
      if (current instanceof ErrorReply) return current;
      if (!current) return noGroup;
      const fresh: StreamEntry[] = [];
      for (const e of this.entriesAfter(current.stream, current.group.lastDelivered)) {
        fresh.push(e);
        if (fresh.length >= o.count) break;
      }
      if (fresh.length === 0 && current.group.consumers.has(consumer)) return undefined;
      this.touch(o.key);
      const { group } = this.group(o.key, groupName) as { stream: StreamValue; group: ConsumerGroup };
      group.consumers.set(consumer, this.now());
      if (fresh.length === 0) return undefined;
      for (const e of fresh) {
        group.lastDelivered = e.id;
        group.pel.set(e.key, { id: e.id, consumer, deliveredAt: this.now(), count: 1 });
      }
      return [[o.key, fresh.map(entryReply)]];
    };
    const now = read();
    if (now !== undefined) return now;
    if (o.block === undefined || !topLevel) return null;
    return {
      blocked: true,
      key: o.key,
      ms: o.block,
      timeout: null,
      retry: () => {
        // A blocked XREADGROUP is served as its own command (its own undo record).
        const record: UndoRecord = { keys: new Map() };
        const outer = this.current;
        this.current = record;
        try {
          const reply = read();
          if (reply !== undefined && record.keys.size > 0) {
            this.writes++;
            this.remember(record);
          }
          return reply;
        } finally {
          this.current = outer;
        }
      },
    };
  }

  private xack(a: readonly string[]): Reply {
    const found = this.group(a[1] as string, a[2] as string);
    if (found instanceof ErrorReply) return found;
    const ids: string[] = [];
    for (const text of a.slice(3)) {
      const id = parseId(text, 0);
      if (!id) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
      ids.push(idText(id));
    }
    if (!found) return 0;
    if (!ids.some((id) => found.group.pel.has(id))) return 0;
    this.touch(a[1] as string);
    const { group } = this.group(a[1] as string, a[2] as string) as { group: ConsumerGroup };
    let n = 0;
    for (const id of ids) if (group.pel.delete(id)) n++;
    return n;
  }

  private xautoclaim(a: readonly string[]): Reply {
    const [, key, groupName, consumer, idleText, startText, ...opts] = a as string[];
    const minIdle = parseInteger(idleText);
    if (minIdle === undefined) return new ErrorReply('ERR Invalid min-idle-time argument for XAUTOCLAIM');
    const start = parseId(startText as string, 0);
    if (!start) return new ErrorReply('ERR Invalid stream ID specified as stream command argument');
    let count = 100;
    let justId = false;
    for (let i = 0; i < opts.length; i++) {
      const opt = (opts[i] as string).toUpperCase();
      if (opt === 'COUNT') {
        const n = parseInteger(opts[++i]);
        if (n === undefined || n < 1) return new ErrorReply('ERR COUNT must be > 0');
        count = n;
      } else if (opt === 'JUSTID') justId = true;
      else return new ErrorReply(SYNTAX);
    }
    const found = this.group(key as string, groupName as string);
    if (found instanceof ErrorReply) return found;
    if (!found) return new ErrorReply(`NOGROUP No such key '${key}' or consumer group '${groupName}'`);
    this.touch(key as string);
    const { stream, group } = this.group(key as string, groupName as string) as {
      stream: StreamValue;
      group: ConsumerGroup;
    };
    group.consumers.set(consumer as string, this.now());
    const now = this.now();
    const pending = [...group.pel.values()]
      .filter((p) => compare(p.id, start) >= 0)
      .sort((x, y) => compare(x.id, y.id));
    let attempts = count * 10;
    const claimed: Reply[] = [];
    const deleted: Reply[] = [];
    let i = 0;
    for (; attempts > 0 && count > 0 && i < pending.length; i++) {
      attempts--;
      const p = pending[i] as PendingEntry;
      const entry = this.findEntry(stream, p.id);
      if (!entry) {
        group.pel.delete(idText(p.id));
        deleted.push(idText(p.id));
        count--; // the reply's size bounds the deleted ids too
        continue;
      }
      if (minIdle > 0 && now - p.deliveredAt < minIdle) continue;
      group.pel.set(idText(p.id), {
        ...p,
        consumer: consumer as string,
        deliveredAt: now,
        count: justId ? p.count : p.count + 1,
      });
      claimed.push(justId ? entry.key : entryReply(entry));
      count--;
    }
    const next = pending[i];
    return [next ? idText(next.id) : '0-0', claimed, deleted];
  }
}

/** A score as Redis reads it (a float; `inf`, `+inf`, `-inf` too). */
function parseScore(text: string): number | undefined {
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** A score as Redis replies it (`%.17g`; integers without a decimal point). */
function formatScore(score: number): string {
  if (!Number.isFinite(score)) return score > 0 ? 'inf' : '-inf';
  return formatLuaNumber(score);
}

function emptyStream(): StreamValue {
  return { type: 'stream', nodes: [], length: 0, lastId: { ms: 0, seq: 0 }, groups: new Map() };
}

/** True for the answer of a blocking read that has to wait. */
export function isBlocked(reply: Reply | Blocked): reply is Blocked {
  return typeof reply === 'object' && reply !== null && !Array.isArray(reply) && 'blocked' in reply;
}

export { sha1 };
