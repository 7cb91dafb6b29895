/**
 * The simulated brokerage stream upstream of the relays: one platform feed publishing updates with
 * seqs 1, 2, 3... at seeded times. A relay's `client.stream()` gets a session of it (the
 * `BrokerageStream` surface the relay uses: connect, subscribe, close, the events `authenticated`,
 * `update`, `gap`, `error`, `close`). As on the platform, one user's stream has one session at a
 * time: opening a second evicts the first (close 4002). An update published while no session is
 * open is lost upstream (the next session's `session_start` entry is the readers' gap). As the
 * real stream does, closing a session rejects its pending `connect()`/`subscribe()` (before, their
 * answers were dropped with the wire and the relay's term waited forever: relay seed 611000194).
 */
import { EventEmitter } from 'node:events';
import type { BrokerageStream } from '../../../src/streams/brokerage-stream';
import type { Latency, SimProcess, Trace } from './sim-net';

/** The feed. */
export class SimUpstream {
  private seq = 0;
  private sessions = 0;
  private active: SimBrokerageStream | undefined;
  /** Every seq published, with whether an open, subscribed session took it. */
  readonly published: number[] = [];

  constructor(
    readonly latency: Latency,
    readonly trace: Trace,
  ) {}

  /** The `client` option of `startRelay` for a relay running in `process`. */
  clientFor(process: SimProcess): { stream(): BrokerageStream } {
    return { stream: () => new SimBrokerageStream(this, process) as unknown as BrokerageStream };
  }

  /** Publishes the next update; returns its seq. */
  publish(): number {
    const seq = ++this.seq;
    this.published.push(seq);
    const session = this.active;
    this.trace(`publish ${seq} -> ${session?.sessionId ?? 'nobody'}`);
    session?.send(seq);
    return seq;
  }

  /** A session is open and subscribed, in a process that runs: what is published now reaches a relay. */
  get ready(): boolean {
    return this.active?.ready ?? false;
  }

  /** The last seq published. */
  get lastSeq(): number {
    return this.seq;
  }

  /** @internal A session opens: the previous one is evicted. */
  open(stream: SimBrokerageStream): string {
    const previous = this.active;
    const sessionId = `S${++this.sessions}`;
    this.active = stream;
    if (previous && previous !== stream) previous.evict();
    return sessionId;
  }

  /** @internal */
  closed(stream: SimBrokerageStream): void {
    if (this.active === stream) this.active = undefined;
  }
}

/** One session of the feed, as the relay sees a BrokerageStream. */
class SimBrokerageStream extends EventEmitter {
  state: 'idle' | 'connecting' | 'open' | 'closed' = 'idle';
  sessionId: string | undefined;
  private subscribed = false;
  private lastSeq: number | undefined;
  /** Messages to the relay on the wire (dropped when the session closes from the relay's side). */
  private readonly wire = new Set<ReturnType<typeof setTimeout>>();
  /** When the last message to the relay arrives: one connection never reorders. */
  private lastAt = 0;
  /** Rejections of the `connect()`/`subscribe()` calls not answered yet. */
  private readonly unanswered = new Set<(error: Error) => void>();

  constructor(
    private readonly upstream: SimUpstream,
    private readonly process: SimProcess,
  ) {
    super();
    // A killed process's connection closes: the server ends the session (nobody hears it).
    process.onKill(() => {
      this.state = 'closed';
      this.subscribed = false;
      this.upstream.closed(this);
    });
  }

  /** Subscribed, open, and its process running. */
  get ready(): boolean {
    return this.subscribed && this.state === 'open' && !this.process.paused && !this.process.dead;
  }

  connect(): Promise<void> {
    this.state = 'connecting';
    return this.request((resolve, reject) => {
      setTimeout(() => {
        if (this.state === 'closed') {
          this.process.deliver(() => reject(new Error('closed while connecting')));
          return;
        }
        const sessionId = this.upstream.open(this);
        this.sessionId = sessionId;
        this.upstream.trace(`session ${sessionId} ${this.process.name}`);
        this.toRelay(() => {
          if (this.state === 'closed') {
            reject(new Error('closed while connecting'));
            return;
          }
          this.state = 'open';
          this.emit('authenticated', { session_id: sessionId });
          resolve();
        });
      }, this.upstream.latency());
    });
  }

  subscribe(): Promise<unknown> {
    return this.request((resolve, reject) => {
      setTimeout(() => {
        this.subscribed = this.state !== 'closed';
        this.toRelay(() =>
          this.state === 'closed' ? reject(new Error('closed while subscribing')) : resolve({}),
        );
      }, this.upstream.latency());
    });
  }

  /** @internal An update published while this session is open and subscribed. */
  send(seq: number): void {
    if (!this.subscribed || this.state === 'closed') return;
    const message = {
      action: 'order_update',
      seq,
      user_id: 'u1',
      data: { account_id: 'a1', order_id: `o${seq}` },
    };
    this.toRelay(() => {
      if (this.state === 'closed') return;
      // As the real BrokerageStream does: a seq skipped within the session is a `gap` first.
      if (this.lastSeq !== undefined && seq > this.lastSeq + 1)
        this.emit('gap', { reason: 'seq', from: this.lastSeq + 1, to: seq - 1 });
      this.lastSeq = seq;
      this.emit('update', message);
    });
  }

  /** @internal Another session opened: this one is closed by the server. */
  evict(): void {
    if (this.state === 'closed') return;
    this.upstream.trace(`evict ${this.sessionId}`);
    this.subscribed = false;
    this.toRelay(() => this.finish(4002));
  }

  /** A request of the relay: answered, or rejected when the session closes first. */
  private request<T>(
    send: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const fail = (error: Error) => {
        this.unanswered.delete(fail);
        reject(error);
      };
      this.unanswered.add(fail);
      send((value) => {
        this.unanswered.delete(fail);
        resolve(value);
      }, fail);
    });
  }

  /** A message to the relay, after a latency, in order. */
  private toRelay(fn: () => void): void {
    const at = Math.max(Date.now() + this.upstream.latency(), this.lastAt);
    this.lastAt = at;
    const handle = setTimeout(() => {
      this.wire.delete(handle);
      this.process.deliver(fn);
    }, at - Date.now());
    this.wire.add(handle);
  }

  close(): Promise<void> {
    this.finish(1000);
    for (const handle of this.wire) clearTimeout(handle);
    this.wire.clear();
    return Promise.resolve();
  }

  private finish(code: number): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.subscribed = false;
    this.upstream.closed(this);
    for (const fail of [...this.unanswered]) fail(new Error('stream closed while waiting for an answer'));
    this.emit('close', { code, reason: code === 4002 ? 'evicted' : 'closed' });
  }
}
