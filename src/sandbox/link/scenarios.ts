/**
 * The link page's scenario engine: what the broker "answers" to a login. One table drives the magic
 * credentials, the page's Scenario select and the `scenario` option of `authorize`.
 */
import type { LinkErrorCode } from './redirect';

/** A scenario of the link page (`'auto'` = decided by the credentials). */
export type LinkScenario =
  | 'auto'
  | 'success'
  | 'invalid_credentials'
  | 'mfa'
  | 'account_locked'
  | 'broker_unavailable'
  | 'rate_limited'
  | 'no_accounts';

/** The scenarios, with the label the page's select shows. */
export const LINK_SCENARIOS: readonly { value: LinkScenario; label: string }[] = [
  { value: 'auto', label: 'From the credentials' },
  { value: 'success', label: 'Success' },
  { value: 'invalid_credentials', label: 'Invalid credentials' },
  { value: 'mfa', label: 'One-time code (123456)' },
  { value: 'account_locked', label: 'Account locked' },
  { value: 'broker_unavailable', label: 'Broker unavailable' },
  { value: 'rate_limited', label: 'Rate limited' },
  { value: 'no_accounts', label: 'Success, no accounts' },
];

/** The magic password every successful login uses. */
export const GOOD_PASSWORD = 'pass_good';
/** The one-time code the `user_mfa` scenario accepts. */
export const GOOD_CODE = '123456';

/** Usernames that pick a scenario (with the password `pass_good`). */
const MAGIC_USERS: Readonly<Record<string, LinkScenario>> = {
  user_mfa: 'mfa',
  user_locked: 'account_locked',
  user_down: 'broker_unavailable',
  user_ratelimited: 'rate_limited',
  user_noaccounts: 'no_accounts',
};

/** What a login step leads to. */
export type LoginOutcome =
  | { kind: 'alert'; message: string }
  | { kind: 'mfa' }
  | { kind: 'success'; accounts: boolean }
  | { kind: 'error'; code: LinkErrorCode; message: string };

const ERRORS: Record<LinkErrorCode, string> = {
  account_locked: 'Your account at the broker is locked. Contact the broker to unlock it.',
  broker_unavailable: 'The broker is not available right now. Try again later.',
  rate_limited: 'Too many attempts at the broker. Wait a while before you try again.',
};

/** Whether a string names a scenario. */
export function isLinkScenario(value: unknown): value is LinkScenario {
  return LINK_SCENARIOS.some((s) => s.value === value);
}

/** The scenario a login plays: the select's choice, else the credentials'. */
export function scenarioOf(username: string, password: string, chosen: LinkScenario): LinkScenario {
  if (chosen !== 'auto') return chosen;
  if (password !== GOOD_PASSWORD) return 'invalid_credentials';
  return MAGIC_USERS[username.trim()] ?? 'success';
}

/** What the login step answers for a scenario. */
export function loginOutcome(scenario: LinkScenario): LoginOutcome {
  switch (scenario) {
    case 'invalid_credentials':
      return { kind: 'alert', message: 'Invalid username or password. Check them and try again.' };
    case 'mfa':
      return { kind: 'mfa' };
    case 'account_locked':
    case 'broker_unavailable':
    case 'rate_limited':
      return { kind: 'error', code: scenario, message: ERRORS[scenario] };
    case 'no_accounts':
      return { kind: 'success', accounts: false };
    default:
      return { kind: 'success', accounts: true };
  }
}

/** What the one-time-code step answers. */
export function codeOutcome(code: string): LoginOutcome {
  return code.trim() === GOOD_CODE
    ? { kind: 'success', accounts: true }
    : { kind: 'alert', message: 'That one-time code is not valid. Check it and try again.' };
}
