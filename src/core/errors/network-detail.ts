/** What a connection error's message may say: the host (never user info or path) and the network code. */
import { truncate } from './base';

/** `host[:port]` of a URL, without user info; undefined when it does not parse. */
export function hostOf(url: string): string | undefined {
  const match = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?([^/?#]+)/i.exec(url);
  return match?.[1];
}

/** The first network `code` along an error's cause chain (Node's and undici's errors carry one), else the deepest message. */
export function networkDetail(error: unknown): { code?: string; message?: string } {
  let message: string | undefined;
  for (let e = error, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, message: text } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(code)) return { code };
    if (typeof text === 'string' && text) message = truncate(text, 120);
  }
  return message === undefined ? {} : { message };
}
