/**
 * The leader lease: one Redis key set with `SET NX PX` (inside a script that also issues the
 * fencing token with `INCR`), renewed by its holder long before it expires. The timing rules live
 * here so they can be tested on their own:
 * - renew every `ttl / 3`; after a failed renewal, retry every `ttl / 10`;
 * - the holder gives up (closes its upstream) at `last successful renewal sent + ttl − ttl / 4`:
 *   a renewal extends the key from the moment Redis runs it, which is after it was sent, so the key
 *   outlives the holder's own deadline by at least `ttl / 4` and no standby can take over while the
 *   old leader may still think it leads;
 * - a standby retries when the current lease should expire (its remaining PTTL), at most 1 s later.
 */
import type { RelayKeys } from './keys';
import type { RedisLink } from './redis-link';
import { ACQUIRE, RELEASE, RENEW, runScript } from './scripts';

/** Lease settings. */
export interface LeaseOptions {
  /** Time to live of the lease, in ms (default 5 000, at least 300). */
  ttlMs?: number;
}

/** The lease timing derived from a TTL. */
export interface LeaseTiming {
  ttlMs: number;
  /** Interval between renewals. */
  renewEveryMs: number;
  /** Interval between retries after a failed renewal. */
  retryEveryMs: number;
  /** How long before the key's earliest expiry the holder steps down. */
  marginMs: number;
  /** Deadline of one lease command. */
  commandTimeoutMs: number;
  /** Longest a standby waits between acquisition attempts. */
  maxStandbyWaitMs: number;
}

/** The timing for a TTL. */
export function leaseTiming(ttlMs: number): LeaseTiming {
  return {
    ttlMs,
    renewEveryMs: Math.floor(ttlMs / 3),
    retryEveryMs: Math.max(10, Math.floor(ttlMs / 10)),
    marginMs: Math.floor(ttlMs / 4),
    commandTimeoutMs: Math.max(50, Math.floor(ttlMs / 5)),
    maxStandbyWaitMs: Math.min(1_000, Math.floor(ttlMs / 2)),
  };
}

/** The outcome of an acquisition attempt. */
export type AcquireResult =
  | { acquired: true; fence: number; token: string }
  | { acquired: false; holder: string | undefined; remainingMs: number };

/** Lease commands for one relay (`holder` is its unique id). */
export class Lease {
  constructor(
    private readonly link: RedisLink,
    private readonly keys: RelayKeys,
    private readonly holder: string,
    readonly timing: LeaseTiming,
  ) {}

  /**
   * Tries to take the lease. Its deadline is half the TTL: an answer later than that would leave
   * too little of the lease to be useful (the caller measures the term from when it SENT this).
   */
  async acquire(): Promise<AcquireResult> {
    const reply = await runScript(this.link, {
      script: ACQUIRE,
      keys: [this.keys.lease, this.keys.fence],
      args: [this.holder, String(this.timing.ttlMs)],
      timeoutMs: Math.floor(this.timing.ttlMs / 2),
    });
    if (typeof reply === 'number' && reply > 0)
      return { acquired: true, fence: reply, token: `${this.holder}:${reply}` };
    const [, pttl, holder] = Array.isArray(reply) ? reply : [];
    return {
      acquired: false,
      holder: typeof holder === 'string' ? holder : undefined,
      remainingMs: Math.max(0, Number(pttl) || 0),
    };
  }

  /**
   * After an acquisition whose answer was lost (a timeout: Redis may have run it), the token the
   * lease holds if it is ours, so the relay does not leave its own lease to expire unused.
   */
  async ownToken(): Promise<string | undefined> {
    const value = await this.link.send(['GET', this.keys.lease], this.timing.commandTimeoutMs);
    return typeof value === 'string' && value.startsWith(`${this.holder}:`) ? value : undefined;
  }

  /** Extends the lease; resolves false when it is no longer ours (see {@link renewOrRestore}). */
  async renew(token: string): Promise<boolean> {
    return (await this.renewOrRestore(token)) !== 'lost';
  }

  /**
   * Extends the lease (`renewed`); restores it when a failover lost it and no newer fence was
   * issued (`restored`: the new primary lacked our lease); `lost` when another relay holds it.
   */
  async renewOrRestore(token: string): Promise<'renewed' | 'restored' | 'lost'> {
    const reply = Number(
      await runScript(this.link, {
        script: RENEW,
        keys: [this.keys.lease, this.keys.fence],
        args: [token, String(this.timing.ttlMs)],
        timeoutMs: this.timing.commandTimeoutMs,
      }),
    );
    return reply === 1 ? 'renewed' : reply === 2 ? 'restored' : 'lost';
  }

  /** Gives the lease up (only if it is still ours), so a standby takes over at once. */
  async release(token: string): Promise<void> {
    await runScript(this.link, {
      script: RELEASE,
      keys: [this.keys.lease],
      args: [token],
      timeoutMs: this.timing.commandTimeoutMs,
    });
  }
}
