/**
 * The broker-link page served at the `authorization_url` the sandbox returns
 * (`/authorize/{connection_id}`). A GET only shows the page; each step's form POSTs back to the
 * same URL with a CSRF token, and only a POST changes state:
 *
 * 1. the broker picker (preselected when `connections.create` named one);
 * 2. the login form (Username, Password, a Scenario select; Connect or Cancel);
 * 3. when the scenario asks for it, the one-time code;
 * 4. the result, which sends the browser to `redirect_url` with the outcome appended
 *    (`redirect.ts`) and, in a popup, tells the opener first.
 *
 * The page keeps no per-visitor state: the CSRF token and the "password was right, now the code"
 * ticket are HMACs of the connection id under a per-sandbox key. What makes a URL single-use is the
 * connection leaving `pending`; what expires it is the sandbox clock passing its `expires_at`.
 * Machine clients read the step from `x-connect-trade-link-step` and the redirect from
 * `x-connect-trade-redirect` (`authorize.ts` drives the same GET + POST as a browser).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ConnectionRecord, SandboxState } from '../state';
import { LINK_BROKERS } from './brokers';
import { alertBox, esc, hidden, type LinkStep, layout, REDIRECT_HEADER, STEP_HEADER } from './html';
import { type PageRequest, type PageResponse, pageResponse } from './page-http';
import { type LinkRedirect, linkRedirectUrl } from './redirect';
import {
  codeOutcome,
  isLinkScenario,
  LINK_SCENARIOS,
  type LinkScenario,
  type LoginOutcome,
  loginOutcome,
  scenarioOf,
} from './scenarios';

/** What the link page needs from the sandbox. */
export interface LinkPageDeps {
  state: SandboxState;
  /** Sandbox time in ms (its clock: advancing it expires authorization URLs). */
  nowMs(): number;
  /** Opens the paper account of a connection that just became active. */
  openAccount(connection: ConnectionRecord): void;
  /** How long the result step shows before the browser moves on, in ms. Default 600. */
  resultDelayMs?: number;
}

/** The broker the connection named at creation, if any (`SANDBOX` is the default, not a choice). */
function namedBroker(connection: ConnectionRecord): string | undefined {
  return connection.broker === 'SANDBOX' ? undefined : connection.broker;
}

/** The link pages of one sandbox. */
export class LinkPages {
  private readonly key = randomBytes(32);

  constructor(private readonly deps: LinkPageDeps) {}

  /** Answers `GET`/`POST /authorize/{connectionId}`. */
  handle(req: PageRequest, connectionId: string): PageResponse {
    const connection = this.deps.state.connections.get(connectionId);
    if (!connection)
      return this.page(404, 'not_found', {
        title: 'Link not found',
        main: '<p>There is no pending broker link at this address. Ask the app for a new one.</p>',
      });
    const closed = this.closedPage(connection);
    if (closed) return closed;
    if (req.method === 'GET' || req.method === 'HEAD') return this.brokerStep(connection);
    if (req.method !== 'POST')
      return pageResponse(405, 'text/plain; charset=utf-8', 'Method not allowed\n', { allow: 'GET, POST' });
    return this.post(connection, new URLSearchParams(req.body));
  }

  /** The used or expired page (no redirect), or undefined while the link can still be used. */
  private closedPage(connection: ConnectionRecord): PageResponse | undefined {
    if (connection.status !== 'pending')
      return this.page(410, 'used', {
        title: 'This link was already used',
        main: '<p>Each broker link works once. Go back to the app and start the connection again.</p>',
      });
    const expiresAtMs = connection.authorizationExpiresAtMs;
    if (expiresAtMs !== undefined && this.deps.nowMs() >= expiresAtMs)
      return this.page(410, 'expired', {
        title: 'This link has expired',
        main: `<p>Broker links expire ${esc(new Date(expiresAtMs).toISOString())}. Go back to the app and start the connection again.</p>`,
      });
    return undefined;
  }

  private post(connection: ConnectionRecord, form: URLSearchParams): PageResponse {
    const id = connection.connectionId;
    if (!this.verify(`${id}.csrf`, form.get('csrf') ?? ''))
      return this.page(403, 'refused', {
        title: 'This form has expired',
        main: '<p>The page was not sent by this sandbox, or it is stale. <a href="">Reload it</a> and try again.</p>',
      });
    const action = form.get('action');
    if (action === 'cancel') return this.finish(connection, { status: 'cancelled', error: 'access_denied' });
    const broker = form.get('broker') ?? '';
    if (action === 'back' || !this.knownBroker(connection, broker)) return this.brokerStep(connection);
    if (action === 'choose') return this.loginStep(connection, broker);
    if (action === 'connect') {
      const chosen = form.get('scenario') ?? 'auto';
      const scenario: LinkScenario = isLinkScenario(chosen) ? chosen : 'auto';
      const played = scenarioOf(form.get('username') ?? '', form.get('password') ?? '', scenario);
      return this.outcome(connection, broker, loginOutcome(played), scenario);
    }
    if (action === 'submit_code') {
      if (!this.verify(`${id}.mfa.${broker}`, form.get('ticket') ?? ''))
        return this.loginStep(connection, broker);
      const outcome = codeOutcome(form.get('code') ?? '');
      if (outcome.kind === 'alert') return this.mfaStep(connection, broker, outcome.message);
      return this.outcome(connection, broker, outcome, 'auto');
    }
    return this.brokerStep(connection);
  }

  private outcome(
    connection: ConnectionRecord,
    broker: string,
    outcome: LoginOutcome,
    scenario: LinkScenario,
  ): PageResponse {
    switch (outcome.kind) {
      case 'alert':
        return this.loginStep(connection, broker, outcome.message, scenario);
      case 'mfa':
        return this.mfaStep(connection, broker);
      case 'error':
        connection.status = 'error';
        return this.finish(connection, { status: 'error', errorCode: outcome.code }, outcome.message);
      default:
        connection.status = 'active';
        connection.broker = broker;
        // A market-data connection has no account; `user_noaccounts` links one with none.
        if (outcome.accounts && connection.type !== 'market_data') this.deps.openAccount(connection);
        return this.finish(connection, { status: 'success', connectionId: connection.connectionId });
    }
  }

  /** The result step: the outcome is final, the URL is used up. */
  private finish(connection: ConnectionRecord, outcome: LinkRedirect, message?: string): PageResponse {
    // The spec has no `cancelled` connection status: the user refused access, so the link is revoked.
    if (outcome.status === 'cancelled') connection.status = 'revoked';
    const to = linkRedirectUrl(connection.redirectUrl, outcome);
    const title =
      outcome.status === 'success'
        ? `Connected to ${brokerName(connection.broker)}`
        : outcome.status === 'cancelled'
          ? 'Connection cancelled'
          : 'Could not connect';
    const text =
      outcome.status === 'success'
        ? 'Your account is linked. Taking you back to the app…'
        : outcome.status === 'cancelled'
          ? 'Nothing was shared. Taking you back to the app…'
          : `${message ?? 'The broker refused the connection.'} Taking you back to the app…`;
    const data =
      `data-status="${outcome.status}" data-redirect="${esc(to)}" data-delay-ms="${this.deps.resultDelayMs ?? 600}"` +
      (outcome.status === 'success' ? ` data-connection-id="${esc(outcome.connectionId)}"` : '') +
      (outcome.status === 'error' ? ` data-error-code="${esc(outcome.errorCode)}"` : '');
    const body =
      `<div id="result" ${data}>` +
      `<p class="${outcome.status === 'success' ? 'result-ok' : 'result-error'}">${esc(text)}</p>` +
      `<p><a class="button" href="${esc(to)}">Return to the app</a></p></div>`;
    return this.page(200, 'result', { title, main: body, headers: { [REDIRECT_HEADER]: to } });
  }

  private brokerStep(connection: ConnectionRecord): PageResponse {
    const preselected = namedBroker(connection);
    const brokers = this.brokers(connection);
    const options = brokers
      .map(
        (b) =>
          `<label><input type="radio" name="broker" value="${esc(b.code)}"${b.code === preselected ? ' checked' : ''} required> ${esc(b.name)}</label>`,
      )
      .join('\n');
    const body =
      `<p>Choose the broker that holds your account. You log in at the broker; the app never sees your password.</p>` +
      `<form method="post">${this.csrf(connection)}${preselected ? hidden('preselected', preselected) : ''}<fieldset><legend>Broker</legend><div class="brokers">${options}</div></fieldset>` +
      `<div class="actions"><button type="submit" name="action" value="choose">Continue</button>` +
      `<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button></div></form>`;
    return this.page(200, 'broker', { title: 'Connect your brokerage account', main: body });
  }

  private loginStep(
    connection: ConnectionRecord,
    broker: string,
    alert?: string,
    scenario: LinkScenario = 'auto',
  ): PageResponse {
    const select = LINK_SCENARIOS.map(
      (s) => `<option value="${s.value}"${s.value === scenario ? ' selected' : ''}>${esc(s.label)}</option>`,
    ).join('');
    const body =
      alertBox(alert) +
      `<form method="post">${this.csrf(connection)}${hidden('broker', broker)}` +
      `<div class="field"><label for="username">Username</label><input type="text" id="username" name="username" autocomplete="username" required${alert ? ' autofocus' : ''}></div>` +
      `<div class="field"><label for="password">Password</label><input type="password" id="password" name="password" autocomplete="current-password" required></div>` +
      `<div class="field"><label for="scenario">Scenario</label><select id="scenario" name="scenario" aria-describedby="scenario-hint">${select}</select>` +
      `<span class="hint" id="scenario-hint">Sandbox only. Or use the magic credentials: any username with <code>pass_good</code>; <code>user_mfa</code>, <code>user_locked</code>, <code>user_down</code>, <code>user_ratelimited</code>, <code>user_noaccounts</code>.</span></div>` +
      `<div class="actions"><button type="submit" name="action" value="connect">Connect</button>` +
      `<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button>` +
      `<button type="submit" name="action" value="back" class="secondary" formnovalidate>Choose another broker</button></div></form>`;
    return this.page(alert ? 422 : 200, 'login', { title: `Log in to ${brokerName(broker)}`, main: body });
  }

  private mfaStep(connection: ConnectionRecord, broker: string, alert?: string): PageResponse {
    const ticket = this.sign(`${connection.connectionId}.mfa.${broker}`);
    const body =
      alertBox(alert) +
      `<p>${esc(brokerName(broker))} sent a one-time code to your phone. (In the sandbox it is <code>123456</code>.)</p>` +
      `<form method="post">${this.csrf(connection)}${hidden('broker', broker)}${hidden('ticket', ticket)}` +
      `<div class="field"><label for="code">One-time code</label><input type="text" id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus></div>` +
      `<div class="actions"><button type="submit" name="action" value="submit_code">Submit code</button>` +
      `<button type="submit" name="action" value="cancel" class="secondary" formnovalidate>Cancel</button></div></form>`;
    return this.page(alert ? 422 : 200, 'mfa', { title: 'Enter your one-time code', main: body });
  }

  private brokers(connection: ConnectionRecord): readonly { code: string; name: string }[] {
    const named = namedBroker(connection);
    return named === undefined || LINK_BROKERS.some((b) => b.code === named)
      ? LINK_BROKERS
      : [{ code: named, name: named }, ...LINK_BROKERS];
  }

  private knownBroker(connection: ConnectionRecord, code: string): boolean {
    return this.brokers(connection).some((b) => b.code === code);
  }

  private csrf(connection: ConnectionRecord): string {
    return hidden('csrf', this.sign(`${connection.connectionId}.csrf`));
  }

  /** `nonce.hmac(subject.nonce)`: a fresh token per page, checkable without storing it. */
  private sign(subject: string): string {
    const nonce = randomBytes(12).toString('base64url');
    return `${nonce}.${createHmac('sha256', this.key).update(`${subject}.${nonce}`).digest('base64url')}`;
  }

  private verify(subject: string, token: string): boolean {
    const [nonce, mac] = token.split('.');
    if (!nonce || !mac) return false;
    const expected = createHmac('sha256', this.key).update(`${subject}.${nonce}`).digest();
    const given = Buffer.from(mac, 'base64url');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private page(
    status: number,
    step: LinkStep,
    { title, main, headers = {} }: { title: string; main: string; headers?: Record<string, string> },
  ): PageResponse {
    return pageResponse(status, 'text/html; charset=utf-8', layout(title, main), {
      [STEP_HEADER]: step,
      ...headers,
    });
  }
}

function brokerName(code: string): string {
  return LINK_BROKERS.find((b) => b.code === code)?.name ?? code;
}
