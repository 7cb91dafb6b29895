/** An error the REST layer turns into `{ message, code }` with its status (never a crash). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** 400 with a message naming the offending field. */
export function badRequest(message: string, code = 'invalid_request'): HttpError {
  return new HttpError(400, message, code);
}

/** 404 for an id that does not exist (or belongs to another user). */
export function notFound(message: string): HttpError {
  return new HttpError(404, message, 'not_found');
}

/** 409 for a duplicate id. */
export function conflict(message: string, code: string): HttpError {
  return new HttpError(409, message, code);
}
