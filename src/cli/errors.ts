/** How the CLI reports failures and which exit code each gets. */
import { CommanderError } from 'commander';
import { APIError, ConfigurationError, ConnectTradeError, StreamError, ValidationError } from '../index';
import type { Colors } from './io';

/** Exit codes: 0 success, 1 API (or other runtime) error, 2 usage or validation error. */
export const EXIT = { ok: 0, api: 1, usage: 2 } as const;

/** A command-line mistake found by the CLI itself (bad flag value, missing confirmation). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The exit code for an error. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof UsageError || error instanceof ValidationError || error instanceof ConfigurationError)
    return EXIT.usage;
  return EXIT.api;
}

function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return out;
}

/** The lines describing an error: class, status, message, request id, validation issues; never a secret. */
export function describeError(error: unknown, secrets: readonly string[], c: Colors): string {
  const lines: string[] = [];
  if (error instanceof ValidationError) {
    // The message already lists the issues; print them once, one per line.
    lines.push(`${c.red(c.bold(error.name))}: invalid request, nothing was sent`);
    for (const issue of error.issues) lines.push(`  - ${issue.path || '(request)'}: ${issue.message}`);
  } else if (error instanceof ConnectTradeError) {
    lines.push(`${c.red(c.bold(error.name))}: ${error.message}`);
    if (error instanceof APIError) {
      lines.push(`  status:     ${error.status}`);
      if (error.code) lines.push(`  code:       ${error.code}`);
      lines.push(`  request id: ${error.requestId ?? '(none)'}`);
    }
    if (error instanceof StreamError && error.code) lines.push(`  code:       ${error.code}`);
  } else if (error instanceof Error) lines.push(`${c.red(c.bold(error.name))}: ${error.message}`);
  else lines.push(`${c.red('Error')}: ${String(error)}`);
  return `${scrub(lines.join('\n'), secrets)}\n`;
}
