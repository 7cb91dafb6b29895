/**
 * The brokerage stream: authenticate with the platform credentials, subscribe to orders,
 * positions and balances (optionally of one account or connection), and receive every change the
 * order engine publishes with a per-session `seq` starting at 1. One session per credential pair:
 * a new one closes the old with 4002.
 */

import type { components } from '../../../generated/schema';
import type { SessionSocket } from '../core/session-socket';
import type { AccountEvent } from '../events';
import type { SandboxCredentials } from '../http/auth';
import { type ClientFrame, frameError, type SessionOptions, StreamSession } from './session';

type Topic = components['schemas']['BrokerageTopic'];

interface TopicFilter {
  accountId?: string;
  connectionId?: string;
}

const KNOWN_ACTIONS = new Set(['authenticate', 'subscribe', 'unsubscribe']);

/** One brokerage stream connection. */
export class BrokerageSession extends StreamSession {
  private seq = 0;
  private pendingGap = 0;
  private readonly topics = new Map<Topic, TopicFilter>();

  constructor(
    ws: SessionSocket,
    options: SessionOptions,
    private readonly server: BrokerageServer,
  ) {
    super(ws, options, 'BrokerageServerMessage');
  }

  protected handle(frame: ClientFrame) {
    if (!KNOWN_ACTIONS.has(frame.action))
      return this.sendError('unknown_action', `unknown action \`${frame.action}\``, frame.request_id);
    const schema =
      frame.action === 'authenticate'
        ? 'BrokerageAuthenticate'
        : frame.action === 'subscribe'
          ? 'BrokerageSubscribe'
          : 'BrokerageUnsubscribe';
    if (frame.action !== 'authenticate' && !this.authenticated)
      return this.sendError('not_authenticated', 'send `authenticate` first', frame.request_id);
    const problem = frameError(schema, frame);
    if (problem) return this.sendError('invalid_request', problem, frame.request_id);
    if (frame.action === 'authenticate') return this.authenticate(frame);
    const topics = frame.topics as Topic[];
    if (frame.action === 'subscribe') {
      const filter: TopicFilter = {};
      if (typeof frame.account_id === 'string') filter.accountId = frame.account_id;
      if (typeof frame.connection_id === 'string') filter.connectionId = frame.connection_id;
      for (const topic of topics) this.topics.set(topic, filter);
      this.send({ action: 'subscribed', request_id: frame.request_id, topics });
    } else {
      for (const topic of topics) this.topics.delete(topic);
      this.send({ action: 'unsubscribed', request_id: frame.request_id, topics });
    }
  }

  private authenticate(frame: ClientFrame) {
    if (this.authenticated) return this.sendError('invalid_request', 'already authenticated');
    const { client_id, client_secret } = frame as unknown as { client_id: string; client_secret: string };
    if (!this.server.validCredentials(client_id, client_secret)) {
      this.sendError('unauthorized', 'invalid client_id or client_secret');
      return this.close(4001, 'unauthorized');
    }
    this.authenticated = true;
    this.server.claim(this);
    this.send({ action: 'authenticated', session_id: this.server.nextSessionId() });
  }

  /** Sends an account event if this session subscribed to it. */
  deliver(event: AccountEvent): void {
    if (!this.authenticated) return;
    const filter = this.topics.get(event.topic);
    if (!filter) return;
    if (filter.accountId !== undefined && filter.accountId !== event.accountId) return;
    if (filter.connectionId !== undefined && filter.connectionId !== event.connectionId) return;
    this.seq += 1 + this.pendingGap;
    this.pendingGap = 0;
    this.send({ action: event.action, seq: this.seq, user_id: event.userId, data: event.data });
  }

  /** The next update will skip `skip` seq numbers (fault injection). */
  gap(skip: number): void {
    this.pendingGap += skip;
  }

  /** Closes this session because a newer one took over. */
  replaced(): void {
    this.sendError('session_replaced', 'another session authenticated with the same credentials');
    this.close(4002, 'session_replaced');
  }

  protected onDisposed(): void {
    this.server.forget(this);
  }
}

/** All brokerage stream connections of a sandbox. */
export class BrokerageServer {
  readonly sessions = new Set<BrokerageSession>();
  private active: BrokerageSession | undefined;
  private sessionCounter = 0;

  constructor(
    private readonly credentials: SandboxCredentials,
    private readonly options: SessionOptions,
  ) {}

  /** Starts a session on a new connection. */
  accept(ws: SessionSocket, _remoteAddress = ''): void {
    this.sessions.add(new BrokerageSession(ws, this.options, this));
  }

  /** Whether these are the sandbox's platform credentials. */
  validCredentials(clientId: string, clientSecret: string): boolean {
    return clientId === this.credentials.clientId && clientSecret === this.credentials.clientSecret;
  }

  /** Makes a session the active one, closing the previous (4002). */
  claim(session: BrokerageSession): void {
    const previous = this.active;
    this.active = session;
    if (previous && previous !== session) previous.replaced();
  }

  /** A new session id. */
  nextSessionId(): string {
    this.sessionCounter += 1;
    return `ses_${this.sessionCounter}`;
  }

  /** Removes a closed session. */
  forget(session: BrokerageSession): void {
    this.sessions.delete(session);
    if (this.active === session) this.active = undefined;
  }

  /** Fans an account event out to the sessions. */
  publish(event: AccountEvent): void {
    for (const session of this.sessions) session.deliver(event);
  }
}
