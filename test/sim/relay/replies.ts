/**
 * Replies of the simulated Redis, as RESP2 knows them: a nil, an integer, a bulk string, a status
 * (`+OK`), an error (`-ERR ...`) or an array of those. Status and error are classes so that the
 * Lua bridge can tell them from bulk strings (a status becomes `{ok = ...}` in Lua, an error `{err = ...}`).
 */

/** A status reply (`+OK`). */
export class Status {
  constructor(readonly value: string) {}
}

/** An error reply (`-WRONGTYPE ...`): the whole line, error code first. */
export class ErrorReply {
  constructor(readonly message: string) {}
}

/** One RESP2 reply. */
export type Reply = null | number | string | Status | ErrorReply | Reply[];

/**
 * Thrown to a client for an error reply. Named like node-redis's own class, because the relay
 * tells "Redis answered with an error" (the connection is fine) from a failed connection by the
 * error's class name (src/relay/redis-link.ts, `isReplyError`).
 */
export class SimpleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimpleError';
  }
}

/** A reply as node-redis (RESP2) hands it to `sendCommand`'s caller: statuses become strings. */
export type ClientReply = null | number | string | ClientReply[];

/** Converts a reply to what node-redis resolves with; an error reply (at the top) is thrown as {@link SimpleError}. */
export function toClientReply(reply: Reply): ClientReply {
  if (reply instanceof ErrorReply) throw new SimpleError(reply.message);
  return clientValue(reply);
}

function clientValue(reply: Reply): ClientReply {
  if (reply instanceof Status) return reply.value;
  // node-redis resolves a nested error inside an array as an error object; the relay never gets one.
  if (reply instanceof ErrorReply) return `-${reply.message}` as ClientReply;
  if (Array.isArray(reply)) return reply.map(clientValue);
  return reply;
}
