/** An error a handler throws with the HTTP status it means; the service's error handler sends `{ statusCode, error, message }`. */
export class HttpError extends Error {
  override name = 'HttpError';

  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

export const notFound = (what: string) => new HttpError(404, what);
export const conflict = (what: string) => new HttpError(409, what);
