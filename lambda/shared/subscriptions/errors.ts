/**
 * The subscribe flow's named errors. The HTTP edge (lambda/subscribe/app.ts) maps each to a status and
 * a `{error, message}` body; the messages are written for the person who sees them and never carry an
 * address, a token or an SDK message.
 */

/** The request does not match the schema (bad address, unknown topic, unknown field…): 400. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
}

/** The body exceeds the 10 KB limit: 413. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** A body in a format the endpoint does not take: 415. */
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

/** A valid link whose subscription can no longer take this action (unsubscribed, forgotten): 410. */
export class LinkGoneError extends Error {
  override readonly name = 'LinkGoneError';
}
