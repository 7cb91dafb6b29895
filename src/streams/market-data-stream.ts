/**
 * The market-data stream (`wss://mdstream.connecttrade.com`): quotes, trades, bars, depth and
 * options chains for one connection, authenticated with a short-lived token. The token provider
 * is asked on every connect; a token past `expires_at` or rejected as `token_expired` is replaced.
 */
import { streamErrorFactory as errorFactory, type StreamError } from '../core/errors';
import type { ValidationMode } from '../core/field-rules';
import { warnTo } from '../core/logging';
import type { Bar, ConnectionToken, MarketDataServerMessage } from '../types';
import type { CloseInfo, ConnectionState, ReconnectInfo } from './connection-events';
import { deliverTo, endSubscription, MarketDataSubscription } from './market-data-subscription';
import type {
  Channel,
  ChannelData,
  ChannelParams,
  HeartbeatMessage,
  MarketDataUpdateMessage,
  SnapshotResponseMessage,
  SubscriptionInfo,
  SubscriptionsResponseMessage,
} from './messages';
import type { StreamOptions } from './options';
import {
  decodeMarketData,
  encodeMarketDataAuth,
  type SnapshotBarsParams,
  symbolOf,
  throwIssues,
} from './protocol/market-data';
import { SafeEmitter } from './safe-emitter';
import { type GapInfo, StreamCore } from './stream-core';

/** Options of {@link MarketDataStream}. */
export interface MarketDataStreamOptions extends StreamOptions {
  /** Returns a fresh `{ token, expires_at }` (e.g. `u.connections.token(connectionId)`); called on each connect. */
  tokenProvider: () => Promise<ConnectionToken>;
  /** Trades kept per iterator before the oldest are dropped, counted in `dropped` (default 10 000). */
  tradesBufferSize?: number;
  /**
   * Keys (symbols; symbol and start for bars) a conflating iterator (quotes, bars, depth,
   * options_chain) holds before the oldest waiting key's value is dropped, counted in `dropped`
   * (default 10 000).
   */
  maxConflatedKeys?: number;
}

/** The market-data stream's events. */
export interface MarketDataStreamEvents {
  /** A quote of any subscribed symbol. */
  quotes: (quote: ChannelData['quotes']) => void;
  /** A trade of any subscribed symbol. */
  trades: (trade: ChannelData['trades']) => void;
  /** A bar (possibly still forming, or backfilled) of any subscribed symbol. */
  bars: (bar: ChannelData['bars']) => void;
  /** The whole top-N book of a subscribed symbol. */
  depth: (depth: ChannelData['depth']) => void;
  /** An options chain of a subscribed underlying. */
  options_chain: (chain: ChannelData['options_chain']) => void;
  /** Every update message, whole. */
  update: (message: MarketDataUpdateMessage) => void;
  /** The server's idle heartbeat. */
  heartbeat: (message: HeartbeatMessage) => void;
  /** The socket opened (authentication is on its way). */
  open: () => void;
  /** The server accepted the token. */
  authenticated: (info: { connection_id: string; expires_at: string }) => void;
  /** The connection dropped; a reconnect is scheduled after `info.delay` ms. */
  reconnecting: (info: ReconnectInfo) => void;
  /** A reconnect succeeded and subscriptions were replayed: updates may have been missed meanwhile. */
  reconnected: () => void;
  /** Updates were missed (a seq gap or a reconnect): resynchronize from REST. */
  gap: (info: GapInfo) => void;
  /** Non-fatal problems (malformed frames, listener exceptions, server errors) and fatal ones before `close`. */
  error: (error: StreamError) => void;
  /** The stream stopped for good. */
  close: (info: CloseInfo) => void;
}

/** Parameters argument of subscribe: required for bars (interval), optional otherwise. */
export type SubscribeParamsArg<C extends Channel> =
  // biome-ignore lint/complexity/noBannedTypes: `{}` tests whether every parameter is optional.
  {} extends ChannelParams[C] ? [params?: ChannelParams[C]] : [params: ChannelParams[C]];

// The request checks (with the spec's rule tables) and frames load on the first request, not with
// the stream (protocol/market-data-requests.ts): a page pays for them when it subscribes, not up
// front. Cached once loaded; a failed load is retried by the next request. Every request awaits
// it before its checks, so an invalid one still sends nothing.
type Requests = typeof import('./protocol/market-data-requests');
let requests: Promise<Requests> | undefined;
const loadRequests = (): Promise<Requests> => {
  requests ??= import('./protocol/market-data-requests').catch((error: unknown) => {
    requests = undefined;
    throw error;
  });
  return requests;
};

// Refresh a little before expiry: a token valid at fetch time may lapse during the handshake.
const EXPIRY_MARGIN_MS = 5_000;

/** Market data over one token-authenticated WebSocket. */
export class MarketDataStream extends SafeEmitter<MarketDataStreamEvents> {
  readonly #core: StreamCore<MarketDataServerMessage>;
  readonly #tokenProvider: () => Promise<ConnectionToken>;
  readonly #bounds: { trades: number; keys: number };
  readonly #byChannel = new Map<Channel, Set<MarketDataSubscription<Channel>>>();
  readonly #keys = new Map<MarketDataSubscription<Channel>, string>();
  #currentToken: string | undefined;
  #rejectedToken: string | undefined;
  #nextKey = 0;

  constructor(options: MarketDataStreamOptions) {
    const { tokenProvider, tradesBufferSize, maxConflatedKeys, ...rest } = options;
    if (typeof tokenProvider !== 'function') throw errorFactory.configuration('tokenProvider is required');
    const trades = tradesBufferSize ?? 10_000;
    if (!(Number.isInteger(trades) && trades > 0))
      throw errorFactory.configuration('tradesBufferSize must be a positive integer');
    const keys = maxConflatedKeys ?? 10_000;
    if (!(Number.isInteger(keys) && keys > 0))
      throw errorFactory.configuration('maxConflatedKeys must be a positive integer');
    super();
    this.#tokenProvider = tokenProvider;
    this.#bounds = { trades, keys };
    this.#core = new StreamCore(this, {
      options: rest,
      defaultUrl: 'wss://mdstream.connecttrade.com',
      schemaName: 'MarketDataServerMessage',
      wire: {
        authFrame: () => this.#authFrame(),
        decode: decodeMarketData,
        authenticated: (message, reconnect) => this.#authenticated(message, reconnect),
        message: (message) => this.#message(message),
        tokenExpired: () => {
          this.#rejectedToken = this.#currentToken;
        },
        subscriptionRefused: (key, error) => this.#subscriptionRefused(key, error),
        ended: (error) => this.#ended(error),
      },
    });
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.#core.connection.state;
  }

  /** Timers currently armed by this stream (0 once closed). */
  get activeTimers(): number {
    return this.#core.connection.activeTimers;
  }

  /** Connects and resolves once authenticated; rejects typed (e.g. StreamAuthenticationError on 4001) or on timeout. */
  connect(): Promise<void> {
    return this.#core.connect();
  }

  /** Guessed values (bar intervals beyond the known ones): warn through the logger, or reject when strict. */
  #validationMode(): ValidationMode {
    const { strictValidation, logger } = this.#core.settings;
    return { strict: strictValidation, warn: warnTo(logger) };
  }

  /** Closes the stream for good: pending requests reject, iterators end, timers are cleared. */
  async close(): Promise<void> {
    this.#core.connection.close();
  }

  /** Subscribes to a channel; resolves once the server confirms. Replayed after every reconnect. */
  async subscribe<C extends Channel>(
    channel: C,
    symbols: readonly string[],
    ...[params]: SubscribeParamsArg<C>
  ): Promise<MarketDataSubscription<C>> {
    const p = { ...(params ?? {}) } as ChannelParams[C];
    const { subscribeIssues, encodeSubscribe } = await loadRequests();
    throwIssues(subscribeIssues(channel, symbols, p as Record<string, unknown>, this.#validationMode()));
    const list = [...symbols];
    const subscription = new MarketDataSubscription<C>(channel, {
      symbols: list,
      params: p,
      bounds: this.#bounds,
      stop: (s) => this.#stop(s as unknown as MarketDataSubscription<Channel>),
      logger: this.#core.settings.logger,
    });
    const any = subscription as unknown as MarketDataSubscription<Channel>;
    const key = `m${++this.#nextKey}`;
    // Indexed before the answer: data may arrive right behind `subscribed`.
    this.#keys.set(any, key);
    let set = this.#byChannel.get(channel);
    if (!set) {
      set = new Set();
      this.#byChannel.set(channel, set);
    }
    set.add(any);
    try {
      const answer = await this.#core.connection.register(key, (id) => encodeSubscribe(id, channel, list, p));
      await this.#expect(answer);
    } catch (error) {
      this.#forget(any);
      endSubscription(subscription, undefined);
      throw error;
    }
    return subscription;
  }

  /** Historical bars. */
  async snapshotBars(params: SnapshotBarsParams): Promise<Bar[]> {
    const { snapshotIssues, encodeSnapshot } = await loadRequests();
    throwIssues(snapshotIssues(params, this.#validationMode()));
    const answer = await this.#request((id) => encodeSnapshot(id, params));
    return (answer as SnapshotResponseMessage).data;
  }

  /** The server's view of this connection's subscriptions. */
  async listSubscriptions(): Promise<SubscriptionInfo[]> {
    const answer = await this.#request((await loadRequests()).encodeListSubscriptions);
    return (answer as SubscriptionsResponseMessage).subscriptions;
  }

  /** Sends a request; resolves with its answer once checked (see {@link MarketDataStream.#expect}). */
  async #request(frame: (requestId: string) => string): Promise<MarketDataServerMessage> {
    return this.#expect(await this.#core.connection.request(frame));
  }

  /**
   * Checks an answer's payload (the connection routed it by request_id): one that breaks the
   * protocol rejects its request with a StreamProtocolError. The requests module is loaded: the
   * request was made with it.
   */
  async #expect(answer: MarketDataServerMessage): Promise<MarketDataServerMessage> {
    const problem = (await loadRequests()).answerProblem(answer);
    if (problem)
      throw this.#core.secrets.scrubError(errorFactory.streamProtocol(problem, JSON.stringify(answer)));
    return answer;
  }

  async #authFrame(): Promise<string> {
    let token = await this.#fetchToken();
    if (this.#isStale(token)) token = await this.#fetchToken();
    if (this.#isStale(token))
      throw errorFactory.streamServerError(
        'token_expired',
        'The token provider returned an expired or rejected token',
      );
    this.#currentToken = token.token;
    return encodeMarketDataAuth(token.token);
  }

  #authenticated(message: MarketDataServerMessage, reconnect: boolean): void {
    const { connection_id, expires_at } = message as { connection_id: string; expires_at: string };
    this.#core.emit('authenticated', { connection_id, expires_at });
    if (reconnect) {
      this.#core.emit('reconnected');
      this.#core.emit('gap', { reason: 'reconnect' } satisfies GapInfo);
    }
  }

  #message(message: MarketDataServerMessage): void {
    if (message.action === 'heartbeat') {
      this.#core.emit('heartbeat', message);
      return;
    }
    if (message.action !== 'update') return;
    const { channel, data } = message;
    const subscriptions = this.#byChannel.get(channel);
    if (subscriptions) {
      const symbol = symbolOf(channel, data as unknown as Record<string, unknown>);
      for (const subscription of subscriptions)
        if (subscription.symbols.has(symbol)) deliverTo(subscription, data);
    }
    this.#core.emit(channel, data);
    this.#core.emit('update', message);
  }

  /** The server refused this subscription's replay: it ends, and its iterators with it. */
  #subscriptionRefused(key: string, error: StreamError): void {
    for (const [subscription, k] of this.#keys)
      if (k === key) {
        this.#forget(subscription);
        endSubscription(subscription, error);
      }
  }

  #ended(error: StreamError | undefined): void {
    for (const subscription of [...this.#keys.keys()]) endSubscription(subscription, error);
    this.#keys.clear();
    this.#byChannel.clear();
  }

  async #fetchToken(): Promise<ConnectionToken> {
    const token = await this.#tokenProvider();
    if (typeof token?.token !== 'string' || token.token === '' || typeof token.expires_at !== 'string')
      throw errorFactory.configuration('tokenProvider must return { token, expires_at }');
    this.#core.secrets.add(token.token);
    return token;
  }

  #isStale(token: ConnectionToken): boolean {
    const expires = Date.parse(token.expires_at);
    return (
      token.token === this.#rejectedToken ||
      (Number.isFinite(expires) && expires - EXPIRY_MARGIN_MS <= this.#core.settings.timers.now())
    );
  }

  #forget(subscription: MarketDataSubscription<Channel>): string | undefined {
    const key = this.#keys.get(subscription);
    this.#keys.delete(subscription);
    this.#byChannel.get(subscription.channel)?.delete(subscription);
    if (key) this.#core.connection.unregister(key);
    return key;
  }

  async #stop(subscription: MarketDataSubscription<Channel>): Promise<void> {
    if (!this.#forget(subscription) || this.state === 'closed') return;
    const still = new Set<string>();
    for (const other of this.#byChannel.get(subscription.channel) ?? [])
      for (const s of other.symbols) still.add(s);
    const drop = [...subscription.symbols].filter((s) => !still.has(s));
    if (drop.length === 0) return;
    const { encodeUnsubscribe } = await loadRequests(); // loaded already: this subscription's subscribe did
    // Only an open session holds it: the next one starts with the replay alone, and a queued
    // unsubscribe would reach it after the replay, dropping symbols a newer subscription asked for.
    if (this.#core.connection.state !== 'open') return;
    await this.#request((id) => encodeUnsubscribe(id, subscription.channel, drop));
  }
}
