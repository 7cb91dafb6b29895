/**
 * A seeded log of the relay's Redis commands for the model-vs-real comparison: the relay's own
 * script calls (acquire, renew, release, the fenced append, built with src/relay/scripts.ts's
 * `scriptCommand`, EVALSHA first and EVAL after NOSCRIPT as the relay sends them), the readers'
 * and consumer groups' commands, and error cases (NOSCRIPT, BUSYGROUP, NOGROUP, WRONGTYPE raised
 * inside a script, a stale token). The log is adaptive: the next command may use what the previous
 * replies said (a new fencing token, an entry id), so the same generator drives both servers in
 * lockstep and any difference shows at the first step that differs.
 *
 * Entry ids are time-based and differ between two servers: replies are compared with ids replaced
 * by their rank of first appearance, and commands refer to ids by that rank.
 */
import { relayKeys } from '../../../src/relay/keys';
import { ACQUIRE, APPEND, GROUP_ACK, RELEASE, RENEW, scriptCommand } from '../../../src/relay/scripts';
import type { Prng } from './prng';

/** One step: a command, or a pause in real time (expiry, age-based trimming). */
export type LogStep =
  | {
      kind: 'command';
      args: string[] /** Replies that depend on time (PTTL): numbers compared within 250 ms. */;
      timing?: boolean;
    }
  | { kind: 'sleep'; ms: number };

/** A reply as compared: node-redis's RESP2 shape, an error as `{ error }`. */
export type Compared = null | number | string | { error: string } | Compared[];

const ID = /^\d+-\d+$/;

/** Replaces stream ids by `#<rank>` in the order they first appear on this side (`ids` is that side's list). */
export function normalize(reply: Compared, ids: string[]): Compared {
  if (typeof reply === 'string' && ID.test(reply) && reply !== '0-0') {
    let rank = ids.indexOf(reply);
    if (rank < 0) rank = ids.push(reply) - 1;
    return `#${rank}`;
  }
  if (Array.isArray(reply)) return reply.map((r) => normalize(r, ids));
  return reply;
}

/** True when two normalized replies are equal (numbers within `tolerance`). */
export function sameReply(a: Compared, b: Compared, tolerance: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= tolerance;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => sameReply(x, b[i] as Compared, tolerance));
  if (a && b && typeof a === 'object' && typeof b === 'object' && 'error' in a && 'error' in b)
    return a.error === b.error;
  return a === b;
}

/** The generator: call {@link next} with the previous step's normalized reply. */
export class CommandLog {
  private readonly keys;
  private readonly badKeys;
  private token: string | undefined;
  private fence = 0;
  private lastBatch = '';
  private batches = 0;
  private seq = 0;
  private pendingEval: LogStep | undefined;
  private steps = 0;
  private fenceSeeded = false;
  /** Entry ids seen (as ranks `#n`). */
  private seenIds = 0;
  private readonly groups = ['g1', 'g2'];

  constructor(
    private readonly random: Prng,
    prefix: string,
    private readonly length: number,
  ) {
    this.keys = relayKeys(prefix);
    // The append with its head hash pointing at the lease (a string): WRONGTYPE inside the script.
    this.badKeys = { ...this.keys, head: this.keys.lease };
  }

  /** The next step, or undefined when the log is done; `previous` is the last command's normalized reply. */
  next(previous: Compared | undefined): LogStep | undefined {
    this.learn(previous);
    if (this.pendingEval) {
      const step = this.pendingEval;
      this.pendingEval = undefined;
      return step;
    }
    const k = this.keys;
    if (!this.fenceSeeded) {
      // A fence counter first: ACQUIRE seeds a missing one from the server's clock (TIME, in ms),
      // which differs between the two servers (timedSteps compares that branch, within 250 ms).
      // A value past 2^31 keeps fengari's float concatenation (`holder .. ':' .. fence`) in the log.
      this.fenceSeeded = true;
      return cmd(['SET', k.fence, '1765000000000']);
    }
    if (this.steps++ >= this.length) return undefined;
    const r = this.random;
    const holder = r.pick(['r1', 'r2', 'r3']);
    const anyId = () => (this.seenIds > 0 ? `{#${r.int(0, this.seenIds - 1)}}` : '0-0');
    const choice = r.int(0, 23);
    switch (choice) {
      case 0:
      case 1:
        return this.script(ACQUIRE, [k.lease, k.fence], [holder, '60000'], true);
      case 2:
        return this.script(RENEW, [k.lease, k.fence], [this.maybeStale(holder), '60000']);
      case 3:
        return this.script(RELEASE, [k.lease], [this.maybeStale(holder)]);
      case 4:
      case 5:
      case 6:
      case 7:
        return this.append(k);
      case 8:
        return this.append(this.badKeys);
      case 9:
        return cmd([
          'XREAD',
          'COUNT',
          String(r.int(1, 20)),
          'STREAMS',
          k.stream,
          r.chance(0.3) ? '0-0' : anyId(),
        ]);
      case 10:
        return cmd(['XRANGE', k.stream, '-', '+', 'COUNT', String(r.int(1, 30))]);
      case 11:
        return cmd(['XREVRANGE', k.stream, '+', '-', 'COUNT', '1']);
      case 12:
        return cmd(r.chance(0.5) ? ['HGET', k.head, 'index'] : ['HMGET', k.head, 'index', 'batch']);
      case 13:
        return cmd(
          r.pick([
            ['GET', k.lease],
            ['GET', k.fenced],
            ['XLEN', k.stream],
            ['GET', k.fence],
          ]),
        );
      case 14:
        return cmd(['XGROUP', 'CREATE', k.stream, r.pick(this.groups), r.pick(['$', '0']), 'MKSTREAM']);
      case 15:
      case 16:
        return cmd([
          'XREADGROUP',
          'GROUP',
          r.pick([...this.groups, 'nogroup']),
          r.pick(['c1', 'c2']),
          'COUNT',
          String(r.int(1, 8)),
          'STREAMS',
          k.stream,
          r.chance(0.7) ? '>' : '0',
        ]);
      case 17:
        return cmd(['XACK', k.stream, r.pick(this.groups), anyId(), anyId()]);
      case 18:
        return cmd([
          'XAUTOCLAIM',
          k.stream,
          r.pick([...this.groups, 'nogroup']),
          r.pick(['c1', 'c2', 'c3']),
          '0',
          r.chance(0.5) ? '0-0' : anyId(),
          'COUNT',
          String(r.int(1, 6)),
        ]);
      case 19:
        return cmd(['HMGET', k.stream, 'index']);
      case 23: {
        // A consumer group's acknowledgement (ZADD, ZREMRANGEBYRANK, XACK in a script), and the
        // commands of main's HA relay outside scripts.
        const done = `${k.stream.slice(0, k.stream.lastIndexOf(':'))}:done:${r.pick(this.groups)}`;
        if (r.chance(0.5))
          return this.script(
            GROUP_ACK,
            [r.chance(0.9) ? done : k.lease, k.stream],
            [r.pick(this.groups), anyId(), `s:${r.int(1, 30)}`, String(r.int(1, 1_000)), String(r.int(1, 5))],
          );
        return cmd(
          r.pick([
            ['ZSCORE', done, `s:${r.int(1, 30)}`],
            ['ZSCORE', k.lease, 'x'],
            ['EXISTS', k.lease, k.fence, done],
            ['ROLE'],
            ['WAIT', '0', '0'],
          ]),
        );
      }
      case 22:
        // Exclusive bounds (Redis 6.2), as relayStream's catch-up sends them.
        return cmd(
          r.chance(0.5)
            ? ['XREVRANGE', k.stream, `(${anyId()}`, '-', 'COUNT', String(r.int(1, 10))]
            : ['XRANGE', k.stream, `(${anyId()}`, '+', 'COUNT', String(r.int(1, 10))],
        );
      case 20:
        return r.chance(0.2)
          ? cmd(['SCRIPT', 'FLUSH'])
          : cmd(['XTRIM', k.stream, 'MAXLEN', '~', String(r.int(0, 12))]);
      default:
        return cmd([
          'XREADGROUP',
          'GROUP',
          r.pick(this.groups),
          'c1',
          'COUNT',
          '3',
          'STREAMS',
          k.stream,
          '0',
        ]);
    }
  }

  /** Reads what the last reply taught (a fencing token, entry ids, NOSCRIPT). */
  private learn(previous: Compared | undefined): void {
    if (previous === undefined) return;
    const text = JSON.stringify(previous);
    for (const m of text.matchAll(/"#(\d+)"/g)) this.seenIds = Math.max(this.seenIds, Number(m[1]) + 1);
    if (typeof previous === 'object' && previous !== null && 'error' in previous) {
      if (previous.error.startsWith('NOSCRIPT') && this.lastScript) {
        const asEval = this.lastScript.slice();
        asEval[0] = 'EVAL';
        asEval[1] = this.lastBody as string;
        this.pendingEval = { kind: 'command', args: asEval, timing: this.lastTiming };
      }
    }
    if (this.lastAcquire && typeof previous === 'number' && previous > 0) {
      this.token = `${this.lastAcquire}:${previous}`;
      this.fence = previous;
    }
    this.lastAcquire = undefined;
  }

  private lastScript: string[] | undefined;
  private lastBody: string | undefined;
  private lastAcquire: string | undefined;
  private lastTiming = false;

  private script(body: string, keys: string[], args: string[], acquire = false): LogStep {
    const command = scriptCommand(body, keys, args);
    this.lastScript = command;
    this.lastBody = body;
    this.lastAcquire = acquire ? args[0] : undefined;
    this.lastTiming = acquire;
    return { kind: 'command', args: command, timing: acquire };
  }

  private maybeStale(holder: string): string {
    if (this.token && this.random.chance(0.7)) return this.token;
    return `${holder}:${this.random.int(1, this.fence + 1)}`;
  }

  private append(keys: ReturnType<typeof relayKeys>): LogStep {
    const r = this.random;
    const valid = this.token !== undefined && r.chance(0.75);
    const token = valid ? (this.token as string) : this.maybeStale('r2');
    const fence = valid ? String(this.fence) : String(r.int(0, this.fence + 1));
    const retry = this.lastBatch !== '' && r.chance(0.15);
    const batch = retry ? this.lastBatch : `${token}:${++this.batches}`;
    this.lastBatch = batch;
    const maxLen = r.chance(0.4) ? String(r.int(2, 14)) : '';
    const maxAge = r.chance(0.2) ? '3600000' : '';
    const args = [token, fence, batch, maxLen, maxAge];
    const n = r.int(1, 6);
    for (let i = 0; i < n; i++)
      args.push(
        `s${this.fence}`,
        String(++this.seq),
        r.pick(['order_update', 'position_update', 'gap']),
        r.pick(['u1', 'u2', '']),
        JSON.stringify({ account_id: 'a1', n: this.seq, text: 'é✓' }),
      );
    return this.script(APPEND, [keys.lease, keys.fence, keys.stream, keys.head, keys.fenced], args);
  }
}

const cmd = (args: string[]): LogStep => ({ kind: 'command', args });

/** Resolves `{#n}` placeholders with this side's n-th id. */
export function resolveIds(args: readonly string[], ids: readonly string[]): string[] {
  return args.map((a) => a.replace(/^(\(?)\{#(\d+)\}$/, (_, open, n) => `${open}${ids[Number(n)] ?? '0-0'}`));
}

/** The fixed, time-dependent part: expiry of a PX key and age-based (MINID) trimming. */
export function timedSteps(prefix: string): LogStep[] {
  const k = relayKeys(prefix);
  const append = (batch: string, maxAge: string, seq: number) =>
    cmd(
      scriptCommand(
        APPEND,
        [k.lease, k.fence, k.stream, k.head, k.fenced],
        ['r1:1', '1', batch, '', maxAge, 's', String(seq), 'order_update', 'u', '{"account_id":"a"}'],
      ),
    );
  const steps: LogStep[] = [
    cmd(['SCRIPT', 'LOAD', APPEND]),
    cmd(['SCRIPT', 'LOAD', ACQUIRE]),
    // The fence counter is seeded from each server's own clock: fences compared within 250 ms.
    { kind: 'command', args: scriptCommand(ACQUIRE, [k.lease, k.fence], ['r1', '300']), timing: true },
    { kind: 'command', args: ['PTTL', k.lease], timing: true },
  ];
  for (let i = 1; i <= 9; i++) steps.push(append(`b${i}`, '', i));
  steps.push(
    // Margins of 300 ms and more either side of every deadline: a loaded machine delays the model's
    // side of a step after the server's.
    { kind: 'sleep', ms: 400 },
    append('b10', '100', 10),
    cmd(['XLEN', k.stream]),
    cmd(['XRANGE', k.stream, '-', '+']),
    { kind: 'sleep', ms: 400 },
    cmd(['GET', k.lease]),
    { kind: 'command', args: ['PTTL', k.lease], timing: true },
    append('b11', '', 11),
    cmd(['GET', k.fenced]),
    { kind: 'command', args: scriptCommand(ACQUIRE, [k.lease, k.fence], ['r2', '300']), timing: true },
    cmd(['SET', `${prefix}:x`, 'v', 'NX', 'PX', '100']),
    cmd(['SET', `${prefix}:x`, 'w', 'NX', 'PX', '100']),
    cmd(['INCR', `${prefix}:x`]),
  );
  return steps;
}
