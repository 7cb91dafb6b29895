/**
 * The leader's side of the Redis Stream. Entries are batched: everything that arrives while the
 * previous append is in flight goes out in ONE fenced EVALSHA (the fence is checked once per
 * batch, up to MAX_BATCH entries). One batch is in flight at a time, so order is kept. A failed
 * batch is retried with the same batch id (the script skips a batch it already wrote).
 *
 * The hot path allocates no object per entry: each entry's five values are pushed straight onto
 * the argument list of the EVALSHA command that will carry it.
 *
 * Replication: with `replicas` > 0, every append is followed by `WAIT replicas timeout` on the same
 * connection (WAIT does not block inside a script). A batch counts as written only once WAIT
 * confirmed it; until then it stays in the buffer and is sent again under the same fence and batch
 * id: on the same primary the script recognises it (no second copy), and on a new primary that
 * lacks it (a failover lost it) it is written there. Entries are therefore never acknowledged to
 * the buffer before they are on a replica.
 *
 * The buffer is bounded (`maxBuffered` entries). Past it, updates are dropped and a `gap` entry
 * (`{ from, to }` of the dropped seqs) is written in their place as soon as there is room again, so
 * readers resynchronize from REST instead of silently missing them.
 */
import { errorFactory } from '../core/errors';
import type { RelayAction, RelayKeys } from './keys';
import type { RedisLink } from './redis-link';
import { APPEND, scriptCommand, sendScript } from './scripts';

/** An entry about to be written. */
export interface PendingEntry {
  sessionId: string;
  seq: number;
  action: RelayAction;
  userId: string;
  /** JSON text. */
  data: string;
}

/** What a {@link StreamWriter} writes where: one term's stream, token and fence, and its bounds. */
export interface StreamWriterOptions {
  keys: RelayKeys;
  /** The lease token of the term. */
  token: string;
  /** The fence of the term: Redis refuses writes under an older one. */
  fence: number;
  retention: Retention;
  /** Entries queued at most; past it they are dropped and a `gap` entry takes their place. */
  maxBuffered: number;
  commandTimeoutMs: number;
  events: WriterEvents;
  replication?: Replication | undefined;
}

/** Retention of the Redis Stream. */
export interface Retention {
  /** Keep about this many entries (`MAXLEN ~`). */
  maxLen?: number | undefined;
  /** Keep entries about this many ms (`MINID ~`, measured on the Redis clock). */
  maxAgeMs?: number | undefined;
}

/** What the writer reports back to the relay. */
export interface WriterEvents {
  /** Entries were appended. */
  written(count: number): void;
  /** Redis refused the batch: the fencing token is stale (the lease is lost). */
  fenced(count: number): void;
  /** An append failed (it is retried while the lease lasts). */
  failed(error: unknown): void;
  /**
   * The primary lacks the lease but no newer fence was issued (a failover lost it): the relay
   * restores it now (RENEW), then the batch is sent again.
   */
  leaseMissing?(): void;
}

/** Replication-aware writes: `WAIT replicas timeoutMs` after each append (0 replicas: none). */
export interface Replication {
  replicas: number;
  timeoutMs: number;
}

const RETRY_MS = 50;
/**
 * Most entries per append. A longer script holds Redis (and every reader) longer, and costs Redis
 * more per entry: measured, 1 000 entries per script took ~10 % less Redis CPU per entry than 5 000
 * (a 25 000-value ARGV is itself a cost), and 500 no less than 1 000.
 */
const MAX_BATCH = 1_000;

/** One EVALSHA being filled: its full command and how many entries it carries. */
interface Batch {
  command: string[];
  count: number;
}

/** The fenced, batching appender of one leadership term. */
export class StreamWriter {
  /** Batches waiting; the last one is still being filled. */
  private batches: Batch[] = [];
  private buffered = 0;
  private inFlight = false;
  private scheduled = false;
  private stopped = false;
  /** False once the term ended: nothing new is taken, what is queued is still sent (see finish). */
  private accepting = true;
  private finished: (() => void) | undefined;
  private batchNumber = 0;
  private readonly keyList: string[];
  private dropped: { sessionId: string; from: number; to: number } | undefined;

  private readonly token: string;
  private readonly fence: number;
  private readonly retention: Retention;
  private readonly maxBuffered: number;
  private readonly commandTimeoutMs: number;
  private readonly events: WriterEvents;
  private readonly replication: Replication;

  constructor(
    private readonly link: RedisLink,
    options: StreamWriterOptions,
  ) {
    const { keys } = options;
    this.keyList = [keys.lease, keys.fence, keys.stream, keys.head, keys.fenced];
    this.token = options.token;
    this.fence = options.fence;
    this.retention = options.retention;
    this.maxBuffered = options.maxBuffered;
    this.commandTimeoutMs = options.commandTimeoutMs;
    this.events = options.events;
    this.replication = options.replication ?? { replicas: 0, timeoutMs: 0 };
  }

  /** Entries waiting to be written (the one in flight included). */
  get backlog(): number {
    return this.buffered;
  }

  /** Queues an entry (see {@link append}). */
  push(entry: PendingEntry): void {
    this.append(entry);
  }

  /** Queues an entry; past `maxBuffered` it is dropped and a `gap` entry will take its place. */
  append(entry: PendingEntry): void {
    const { sessionId, seq } = entry;
    if (this.stopped || !this.accepting) return;
    if (this.buffered >= this.maxBuffered) {
      if (this.dropped && this.dropped.sessionId === sessionId) this.dropped.to = seq;
      else {
        // A new session's entries are dropped too: the earlier session's range is lost as well,
        // and readers see a gap either way (its session_start entry may be among the dropped).
        this.dropped = { sessionId, from: seq, to: seq };
      }
      return;
    }
    if (this.dropped) this.writeDropped();
    this.add(entry);
  }

  /** Stops writing for good; queued entries are discarded. */
  stop(): void {
    this.stopped = true;
    this.batches = [];
    this.buffered = 0;
    this.finished?.();
  }

  /**
   * Ends the term's writing: nothing new is taken, and what is already queued (updates received
   * during the term) is sent once more, without retries, by `deadlineMs`. The fence decides: while
   * the lease still holds this term's token and no newer fence was issued they are written (fewer
   * updates left to a resync), otherwise Redis refuses and counts them (a zombie's last writes).
   */
  finish(deadlineMs: number): Promise<void> {
    this.accepting = false;
    if (this.stopped || (this.batches.length === 0 && !this.inFlight)) {
      this.stop();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = this.link.clock.setTimeout(() => this.stop(), deadlineMs);
      this.finished = () => {
        this.link.clock.clearTimeout(timer);
        this.finished = undefined;
        resolve();
      };
      this.schedule();
    });
  }

  private add({
    sessionId,
    seq,
    action,
    userId,
    data,
  }: Omit<PendingEntry, 'action'> & { action: string }): void {
    let batch = this.batches[this.batches.length - 1];
    // The batch in flight (the first, while inFlight) is never added to.
    if (batch === undefined || batch.count >= MAX_BATCH || (this.inFlight && this.batches.length === 1)) {
      batch = { command: this.header(), count: 0 };
      this.batches.push(batch);
    }
    batch.command.push(sessionId, String(seq), action, userId, data);
    batch.count++;
    this.buffered++;
    this.schedule();
  }

  /** The dropped range becomes a `gap` entry (it may exceed `maxBuffered` by this one entry). */
  private writeDropped(): void {
    const dropped = this.dropped;
    if (!dropped) return;
    this.dropped = undefined;
    const { sessionId, from, to } = dropped;
    this.add({ sessionId, seq: to, action: 'gap', userId: '', data: JSON.stringify({ from, to }) });
  }

  /** EVALSHA sha 5 <keys> token fence <batch id> maxLen maxAgeMs: the batch id is set when sent. */
  private header(): string[] {
    const { maxLen, maxAgeMs } = this.retention;
    return scriptCommand(APPEND, this.keyList, [
      this.token,
      String(this.fence),
      '',
      maxLen === undefined ? '' : String(maxLen),
      maxAgeMs === undefined ? '' : String(maxAgeMs),
    ]);
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** WAITs for the replicas (when asked to); throws `not_replicated` when they did not confirm in time. */
  private async confirm(generation: number): Promise<void> {
    const { replicas, timeoutMs } = this.replication;
    if (replicas <= 0) return;
    const acked = Number(
      await this.link.send(['WAIT', String(replicas), String(timeoutMs)], timeoutMs + this.commandTimeoutMs),
    );
    // WAIT counts the writes of its own connection: on another one it would confirm nothing.
    if (this.link.generation !== generation)
      throw errorFactory.relay(
        'not_replicated',
        'Relay connection changed before WAIT: the append is sent again',
      );
    if (!(acked >= replicas))
      throw errorFactory.relay(
        'not_replicated',
        `Relay append reached ${acked} of ${replicas} replicas within ${timeoutMs} ms: kept and sent again`,
      );
  }

  private async flush(): Promise<void> {
    const batch = this.batches[0];
    if (this.stopped || this.inFlight || batch === undefined) return;
    this.inFlight = true;
    // The batch id sits right after token and fence (see APPEND's ARGV).
    batch.command[3 + this.keyList.length + 2] = `${this.token}:${++this.batchNumber}`;
    try {
      while (!this.stopped) {
        try {
          const result = Number(await sendScript(this.link, APPEND, batch.command, this.commandTimeoutMs));
          // Reported even when the term ended meanwhile (a zombie's lease deadline fires as soon as
          // it runs again): Redis did refuse (or write) these entries.
          if (result === -1) {
            this.stop();
            this.events.fenced(batch.count);
            break;
          }
          if (result === -2) {
            // Not written: the lease is missing on this primary (a failover); restore, then resend.
            throw errorFactory.relay(
              'write_refused',
              'Relay lease missing on the primary (failover): restoring it',
            );
          }
          await this.confirm(this.link.generation);
          if (!this.stopped) {
            this.batches.shift();
            this.buffered -= batch.count;
          }
          this.events.written(batch.count);
          break;
        } catch (error) {
          if (this.stopped) break;
          this.events.failed(error);
          if ((error as { message?: string }).message?.startsWith('Relay lease missing'))
            this.events.leaseMissing?.();
          // A finishing term does not retry: its lease is gone or going.
          if (!this.accepting) {
            this.stop();
            break;
          }
          await new Promise<void>((resolve) => this.link.clock.setTimeout(resolve, RETRY_MS));
        }
      }
    } finally {
      this.inFlight = false;
    }
    // Room again: the dropped range is written now, not only when the next update arrives.
    if (this.dropped && this.accepting && !this.stopped && this.buffered < this.maxBuffered)
      this.writeDropped();
    if (this.batches.length > 0 && !this.stopped) this.schedule();
    else if (!this.accepting) this.stop();
  }
}
