/**
 * The full client of the package's main entry: the REST client of `./client` plus the two
 * streams. `connect-trade/rest` exports the REST-only classes, so importing it never loads
 * WebSocket code.
 */

import { type Clock, systemClock } from './core/clock';
import { defaultRandom } from './core/random';
import { LiveOrders } from './live/live-orders';
import type { LiveStore } from './live/live-store';
import { type LiveOptions, openLive } from './live/open';
import type { ClientInternals, UserCredentials } from './rest/client';
import { ConnectTradeRest, clientInternals, ConnectTradeUser as RestConnectTradeUser } from './rest/client';
import type { RestCore } from './rest/request';
import { BrokerageStream, type BrokerageStreamOptions } from './streams/brokerage-stream';
import { MarketDataStream, type MarketDataStreamOptions } from './streams/market-data-stream';

/** Options of `ct.stream()`: every {@link BrokerageStreamOptions} except the credentials, which come from the client. */
export type StreamClientOptions = Omit<BrokerageStreamOptions, 'clientId' | 'clientSecret'>;

/** Options of `u.marketData()`; `tokenProvider` defaults to `u.connections.token(connectionId)`. */
export type MarketDataClientOptions = Partial<MarketDataStreamOptions>;

/** The client's clock and jitter for a stream, when the app injected them (else the stream's own defaults). */
function streamSeams({ clock, random }: ClientInternals['options']): {
  clock?: Clock;
  random?: () => number;
} {
  return {
    ...(clock === systemClock ? {} : { clock }),
    ...(random === defaultRandom ? {} : { random }),
  };
}

function brokerageStream(internals: ClientInternals, options: StreamClientOptions): BrokerageStream {
  const { options: resolved } = internals;
  const url = options.url ?? resolved.streamUrl;
  return new BrokerageStream({
    // The client's telemetry and seams unless the stream's options say otherwise.
    telemetry: resolved.telemetry,
    ...streamSeams(resolved),
    ...options,
    ...(url === undefined ? {} : { url }),
    clientId: resolved.clientId ?? '',
    clientSecret: resolved.clientSecret ?? '',
  });
}

/** A client acting for one end user, with its market-data stream and live account state. */
export class ConnectTradeUser extends RestConnectTradeUser {
  /** Orders: place, list, replace, cancel, and `submitAndWait`. */
  declare readonly orders: LiveOrders;

  /** @internal The same core as every other resource of this user: no second client per user. */
  protected override createOrders(core: RestCore): LiveOrders {
    return new LiveOrders(core);
  }

  /**
   * The live state of this user's accounts: a REST snapshot kept current by the brokerage stream,
   * resynced after every gap. Shares `options.stream` when given, else opens its own stream.
   */
  live(options: LiveOptions = {}): Promise<LiveStore> {
    const { clock, random } = clientInternals(this).options;
    return openLive({
      rest: this,
      userId: this.userId,
      options,
      newStream: () => brokerageStream(clientInternals(this), {}),
      seams: { clock, random },
    });
  }

  /**
   * A market-data stream for one connection. Its token comes from `connections.token(connectionId)`
   * (asked again on every reconnect, and replaced when it expires) unless `tokenProvider` is given.
   * The client's `strictValidation` and `logger` are its defaults, so a guessed bar interval warns
   * where the client's other warnings go.
   */
  marketData(connectionId: string, options: MarketDataClientOptions = {}): MarketDataStream {
    const { options: resolved } = clientInternals(this);
    const url = options.url ?? resolved.marketDataUrl;
    return new MarketDataStream({
      strictValidation: resolved.strictValidation,
      ...streamSeams(resolved),
      ...(resolved.logger === undefined ? {} : { logger: resolved.logger }),
      ...options,
      ...(url === undefined ? {} : { url }),
      tokenProvider: options.tokenProvider ?? (() => this.connections.token(connectionId)),
    });
  }
}

/** A Connect Trade client: platform operations, `forUser` for a user's operations, and the brokerage stream. */
export class ConnectTrade extends ConnectTradeRest {
  /** A client acting for one end user (connections, accounts, orders, market data...). */
  override forUser(user: UserCredentials): ConnectTradeUser {
    return new ConnectTradeUser(clientInternals(this), user);
  }

  /** The brokerage stream (order, position and balance updates), authenticated with this client's credentials. */
  stream(options: StreamClientOptions = {}): BrokerageStream {
    return brokerageStream(clientInternals(this), options);
  }
}
