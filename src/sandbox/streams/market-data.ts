/**
 * The market-data stream: authenticate with a connection token, subscribe to quotes, trades,
 * bars, depth and options chains of the feed's symbols, ask for bar snapshots, list and
 * unsubscribe. When the token expires mid-session: `error` token_expired, then close 4003.
 */

import type { components } from '../../../generated/schema';
import type { SchemaName } from '../../internal/schema-validator';
import { type BarBook, intervalMs, MAX_BARS } from '../bars';
import { iso } from '../clock';
import type { SessionSocket } from '../core/session-socket';
import type { PriceFeed } from '../feed';
import { depthOf, optionsChainOf, quoteOf, tradeOf } from '../market-data';
import type { SandboxState, TokenRecord } from '../state';
import { type ClientFrame, frameError, type SessionOptions, StreamSession } from './session';

type Schemas = components['schemas'];
type Channel = Schemas['MarketDataChannel'];
type Bar = Schemas['Bar'];

const SCHEMAS = {
  authenticate: 'MarketDataAuthenticate',
  subscribe: 'MarketDataSubscribe',
  snapshot: 'SnapshotRequest',
  list_subscriptions: 'ListSubscriptionsRequest',
  unsubscribe: 'MarketDataUnsubscribe',
} as const;

const SUBSCRIBE_SCHEMAS: Readonly<Record<string, SchemaName>> = {
  quotes: 'QuotesSubscribe',
  trades: 'TradesSubscribe',
  bars: 'BarsSubscribe',
  depth: 'DepthSubscribe',
  options_chain: 'OptionsChainSubscribe',
};

/** The params a subscription was made with (besides channel and symbols). */
type Params = Record<string, unknown>;

/** One market-data stream connection. */
export class MarketDataSession extends StreamSession {
  token: TokenRecord | undefined;
  /** channel -> symbol -> params. */
  private readonly subscriptions = new Map<Channel, Map<string, Params>>();

  constructor(
    ws: SessionSocket,
    options: SessionOptions,
    private readonly server: MarketDataServer,
    /** The client's IP: a connection's subscriptions must all come from one (`ip_mismatch`). */
    readonly remoteAddress: string,
  ) {
    super(ws, options, 'MarketDataServerMessage');
  }

  protected handle(frame: ClientFrame) {
    const schema = SCHEMAS[frame.action as keyof typeof SCHEMAS];
    if (!schema)
      return this.sendError('unknown_action', `unknown action \`${frame.action}\``, frame.request_id);
    if (frame.action !== 'authenticate' && !this.authenticated)
      return this.sendError('not_authenticated', 'send `authenticate` first', frame.request_id);
    // Subscriptions are checked against their channel's own schema, so errors name one shape.
    const channelSchema = frame.action === 'subscribe' ? SUBSCRIBE_SCHEMAS[frame.channel as Channel] : schema;
    if (!channelSchema)
      return this.sendError(
        'invalid_request',
        `\`channel\` must be one of ${Object.keys(SUBSCRIBE_SCHEMAS).join(', ')}`,
        frame.request_id,
      );
    const problem = frameError(channelSchema, frame);
    if (problem) return this.sendError('invalid_request', problem, frame.request_id);
    switch (frame.action) {
      case 'authenticate':
        return this.authenticate(frame.token as string);
      case 'subscribe':
        return this.subscribe(frame);
      case 'unsubscribe':
        return this.unsubscribe(frame);
      case 'list_subscriptions':
        return this.list(frame.request_id as string);
      case 'snapshot':
        return this.snapshot(frame);
    }
  }

  private authenticate(token: string) {
    if (this.authenticated) return this.sendError('invalid_request', 'already authenticated');
    const record = this.server.state.tokens.get(token);
    if (!record || record.revoked) {
      this.sendError('unauthorized', 'unknown or revoked token');
      return this.close(4001, 'unauthorized');
    }
    if (record.expiresAtMs <= this.options.clock.peekMs()) return this.expire();
    this.token = record;
    this.authenticated = true;
    this.send({
      action: 'authenticated',
      connection_id: record.connectionId,
      expires_at: iso(record.expiresAtMs),
    });
  }

  /** Ends the session because its token expired (or was revoked). */
  expire(): void {
    this.sendError('token_expired', 'the market-data token expired; get a new one');
    this.close(4003, 'token_expired');
  }

  /** Whether this session holds any subscription. */
  get hasSubscriptions(): boolean {
    for (const bySymbol of this.subscriptions.values()) if (bySymbol.size > 0) return true;
    return false;
  }

  private subscribe(frame: ClientFrame) {
    const channel = frame.channel as Channel;
    const symbols = frame.symbols as string[];
    const unknown = symbols.filter((s) => !this.server.feed.has(s));
    if (unknown.length > 0)
      return this.sendError('invalid_request', `unknown symbols: ${unknown.join(', ')}`, frame.request_id);
    const owner = this.token ? this.server.subscriberAddress(this.token.connectionId, this) : undefined;
    if (owner !== undefined && owner !== this.remoteAddress)
      return this.sendError(
        'ip_mismatch',
        `this connection's subscriptions come from ${owner}; all must come from one IP`,
        frame.request_id,
      );
    const { action: _a, request_id: _r, channel: _c, symbols: _s, ...params } = frame;
    // Any interval of the spec's pattern is served (frames are schema-checked); a longer one than
    // the emulator's buckets can date is refused.
    if (channel === 'bars' && intervalMs(params.interval as string) === undefined)
      return this.sendError('invalid_request', `bar interval too long: ${params.interval}`, frame.request_id);
    const bySymbol = this.subscriptions.get(channel) ?? new Map<string, Params>();
    for (const symbol of symbols) bySymbol.set(symbol, params);
    this.subscriptions.set(channel, bySymbol);
    this.send({ action: 'subscribed', request_id: frame.request_id, channel, symbols });
    const nowMs = this.options.clock.nowMs();
    for (const symbol of symbols) {
      if (channel === 'bars') {
        const interval = params.interval as Schemas['BarInterval'];
        this.server.bars.track(interval);
        const backfill = typeof params.backfill === 'number' ? params.backfill : 0;
        for (const bar of this.server.bars.backfill(symbol, interval, backfill, nowMs))
          this.update('bars', bar);
        this.update('bars', this.server.bars.current(symbol, interval, nowMs));
      } else if (channel !== 'trades') {
        this.update(channel, this.payload(channel, symbol, params, nowMs));
      }
    }
  }

  private unsubscribe(frame: ClientFrame) {
    const channel = frame.channel as Channel;
    const symbols = frame.symbols as string[];
    const bySymbol = this.subscriptions.get(channel);
    for (const symbol of symbols) bySymbol?.delete(symbol);
    if (bySymbol?.size === 0) this.subscriptions.delete(channel);
    this.send({ action: 'unsubscribed', request_id: frame.request_id, channel, symbols });
  }

  private list(requestId: string): void {
    const subscriptions: Schemas['SubscriptionInfo'][] = [];
    for (const [channel, bySymbol] of this.subscriptions) {
      // Symbols subscribed with the same params are listed together.
      const groups = new Map<string, { params: Params; symbols: string[] }>();
      for (const [symbol, params] of bySymbol) {
        const key = JSON.stringify(params);
        const group = groups.get(key) ?? { params, symbols: [] };
        group.symbols.push(symbol);
        groups.set(key, group);
      }
      for (const { params, symbols } of groups.values())
        subscriptions.push(
          Object.keys(params).length > 0 ? { channel, symbols, params } : { channel, symbols },
        );
    }
    this.send({ action: 'subscriptions', request_id: requestId, subscriptions });
  }

  private snapshot(frame: ClientFrame) {
    const symbol = frame.symbol as string;
    if (!this.server.feed.has(symbol))
      return this.sendError('invalid_request', `unknown symbol: ${symbol}`, frame.request_id);
    const interval = frame.interval as Schemas['BarInterval'];
    const length = intervalMs(interval);
    if (length === undefined)
      return this.sendError('invalid_request', `bar interval too long: ${interval}`, frame.request_id);
    const nowMs = this.options.clock.nowMs();
    const toMs = typeof frame.end === 'string' ? Date.parse(frame.end) : nowMs;
    const limit = typeof frame.limit === 'number' ? frame.limit : 100;
    const fromMs =
      typeof frame.start === 'string'
        ? Date.parse(frame.start)
        : toMs - length * (Math.min(limit, MAX_BARS) + 1);
    const data = this.server.bars.history(symbol, interval, { fromMs, toMs, limit, nowMs });
    this.send({ action: 'snapshot', request_id: frame.request_id, channel: 'bars', symbol, data });
  }

  private payload(channel: Channel, symbol: string, params: Params, nowMs: number): unknown {
    const feed = this.server.feed;
    switch (channel) {
      case 'quotes':
        return quoteOf(feed, symbol, nowMs);
      case 'trades':
        return tradeOf(feed, symbol, nowMs);
      case 'depth':
        return depthOf(feed, symbol, typeof params.levels === 'number' ? params.levels : 10, nowMs);
      case 'options_chain': {
        const options: { greeks?: boolean; expiration?: string } = {};
        if (typeof params.greeks === 'boolean') options.greeks = params.greeks;
        if (typeof params.expiration === 'string') options.expiration = params.expiration;
        return optionsChainOf(feed, symbol, options, nowMs);
      }
      default:
        return undefined;
    }
  }

  private update(channel: Channel, data: unknown): void {
    this.send({ action: 'update', channel, data });
  }

  /** Sends this tick's data for every subscription; `completed` are bars that just closed. */
  publishTick(completed: readonly Bar[], nowMs: number): void {
    if (!this.authenticated) return;
    for (const [channel, bySymbol] of this.subscriptions) {
      for (const [symbol, params] of bySymbol) {
        if (channel !== 'bars') {
          this.update(channel, this.payload(channel, symbol, params, nowMs));
          continue;
        }
        const interval = params.interval as Schemas['BarInterval'];
        for (const bar of completed)
          if (bar.symbol === symbol && bar.interval === interval) this.update('bars', bar);
        this.update('bars', this.server.bars.current(symbol, interval, nowMs));
      }
    }
  }

  protected onDisposed(): void {
    this.server.sessions.delete(this);
  }
}

/** All market-data stream connections of a sandbox. */
export class MarketDataServer {
  readonly sessions = new Set<MarketDataSession>();

  constructor(
    readonly state: SandboxState,
    readonly feed: PriceFeed,
    readonly bars: BarBook,
    private readonly options: SessionOptions,
  ) {}

  /** Starts a session on a new connection. */
  accept(ws: SessionSocket, remoteAddress = ''): void {
    this.sessions.add(new MarketDataSession(ws, this.options, this, remoteAddress));
  }

  /** The IP that other open sessions of a connection subscribe from, if any. */
  subscriberAddress(connectionId: string, except: MarketDataSession): string | undefined {
    for (const session of this.sessions)
      if (
        session !== except &&
        session.open &&
        session.token?.connectionId === connectionId &&
        session.hasSubscriptions
      )
        return session.remoteAddress;
    return undefined;
  }

  /** Publishes one tick to every session. */
  publishTick(completed: readonly Bar[]): void {
    const nowMs = this.options.clock.nowMs();
    for (const session of this.sessions) session.publishTick(completed, nowMs);
  }

  /** Ends the sessions whose token expired or was revoked; returns how many. */
  checkTokens(): number {
    const nowMs = this.options.clock.peekMs();
    let ended = 0;
    for (const session of this.sessions) {
      const token = session.token;
      if (!token || !session.open) continue;
      if (token.revoked) {
        // The connection is gone: a new token would not help (4001, not 4003).
        session.token = undefined;
        session.sendError('unauthorized', 'the connection was deleted');
        session.close(4001, 'unauthorized');
        ended++;
      } else if (token.expiresAtMs <= nowMs) {
        session.token = undefined;
        session.expire();
        ended++;
      }
    }
    return ended;
  }

  /** Expires tokens now (all, or one connection's); returns how many sessions it ended. */
  expireTokens(connectionId: string | undefined): number {
    const nowMs = this.options.clock.peekMs();
    for (const token of this.state.tokens.values())
      if (connectionId === undefined || token.connectionId === connectionId)
        token.expiresAtMs = Math.min(token.expiresAtMs, nowMs);
    for (const session of this.sessions)
      if (session.token && (connectionId === undefined || session.token.connectionId === connectionId))
        session.token.expiresAtMs = Math.min(session.token.expiresAtMs, nowMs);
    return this.checkTokens();
  }
}
