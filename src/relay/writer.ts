/**
 * The leader's side of the Redis Stream: entries are batched (everything that arrived in one turn
 * of the event loop goes out in one fenced append), one batch is in flight at a time so order is
 * kept, a failed batch is retried with the same batch id (the script skips a batch it already
 * wrote), and the buffer is bounded: past `maxBuffered` entries, updates are dropped and a `gap`
 * entry takes their place, so readers resynchronize instead of silently missing them.
 */
import type { RelayAction, RelayKeys } from './keys';
import type { RedisLink } from './redis-link';
import { APPEND, runScript } from './scripts';

/** An entry about to be written. */
export interface PendingEntry {
  sessionId: string;
  seq: number;
  action: RelayAction;
  userId: string;
  /** JSON text. */
  data: string;
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
}

const RETRY_MS = 50;
/** Most entries per append: a longer script would hold Redis (and every reader) for too long. */
const MAX_BATCH = 5_000;

/** The fenced, batching appender of one leadership term. */
export class StreamWriter {
  private queue: PendingEntry[] = [];
  private inFlight = false;
  private scheduled = false;
  private stopped = false;
  private batchNumber = 0;
  private dropped: { sessionId: string; from: number; to: number } | undefined;

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RelayKeys,
    private readonly token: string,
    private readonly fence: number,
    private readonly retention: Retention,
    private readonly maxBuffered: number,
    private readonly commandTimeoutMs: number,
    private readonly events: WriterEvents,
  ) {}

  /** Entries waiting to be written. */
  get backlog(): number {
    return this.queue.length;
  }

  /** Queues an entry (dropped into a `gap` entry when the buffer is full). */
  push(entry: PendingEntry): void {
    if (this.stopped) return;
    if (this.queue.length >= this.maxBuffered) {
      if (this.dropped && this.dropped.sessionId === entry.sessionId) this.dropped.to = entry.seq;
      else this.dropped = { sessionId: entry.sessionId, from: entry.seq, to: entry.seq };
      return;
    }
    if (this.dropped) {
      const { sessionId, from, to } = this.dropped;
      this.dropped = undefined;
      this.queue.push({ sessionId, seq: to, action: 'gap', userId: '', data: JSON.stringify({ from, to }) });
    }
    this.queue.push(entry);
    this.schedule();
  }

  /** Stops writing for good; queued entries are discarded (they would be fenced anyway). */
  stop(): void {
    this.stopped = true;
    this.queue = [];
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.stopped || this.inFlight || this.queue.length === 0) return;
    this.inFlight = true;
    const batch = this.queue.length <= MAX_BATCH ? this.queue : this.queue.slice(0, MAX_BATCH);
    this.queue = this.queue.length <= MAX_BATCH ? [] : this.queue.slice(MAX_BATCH);
    const batchId = `${this.token}:${++this.batchNumber}`;
    const args = [
      this.token,
      String(this.fence),
      batchId,
      this.retention.maxLen === undefined ? '' : String(this.retention.maxLen),
      this.retention.maxAgeMs === undefined ? '' : String(this.retention.maxAgeMs),
    ];
    for (const e of batch) args.push(e.sessionId, String(e.seq), e.action, e.userId, e.data);
    const keys = [this.keys.lease, this.keys.fence, this.keys.stream, this.keys.head, this.keys.fenced];
    try {
      while (!this.stopped) {
        try {
          const result = Number(await runScript(this.link, APPEND, keys, args, this.commandTimeoutMs));
          if (result < 0) {
            this.stopped = true;
            this.events.fenced(batch.length);
          } else this.events.written(batch.length);
          break;
        } catch (error) {
          if (this.stopped) break;
          this.events.failed(error);
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        }
      }
    } finally {
      this.inFlight = false;
    }
    if (this.queue.length > 0) this.schedule();
  }
}
