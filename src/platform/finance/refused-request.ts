/**
 * Errors the HTTP client raises about OUR request before finance sees it: an argument or header value
 * it will not send (undici checks every header value for control characters and throws
 * `UND_ERR_INVALID_ARG` "invalid <name> header"), a body whose length it cannot honour, a feature it
 * does not support. Sending the same request again fails the same way, so these are permanent for
 * the event (`FINANCE_REQUEST_INVALID`); only the network and finance's answers are transient.
 * Before this was told apart, a tenant_id holding a newline made every retry fail on the
 * Idempotency-Key header and stalled its partition for good.
 */
const REFUSED_REQUEST_CODES: ReadonlySet<string> = new Set([
  // undici (lib/core/errors.js)
  'UND_ERR_INVALID_ARG',
  'UND_ERR_INVALID_RETURN_VALUE',
  'UND_ERR_NOT_SUPPORTED',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  // Node's own argument and header checks, should a request reach them
  'ERR_INVALID_ARG_TYPE',
  'ERR_INVALID_ARG_VALUE',
  'ERR_INVALID_CHAR',
  'ERR_INVALID_HTTP_TOKEN',
  'ERR_HTTP_INVALID_HEADER_VALUE',
]);

/** The code of an error that refuses our own request, or undefined for anything else. */
export function refusedRequestCode(error: unknown): string | undefined {
  // undici's retry interceptor may wrap the original error; the refusal is the innermost coded one.
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && REFUSED_REQUEST_CODES.has(code)) return code;
    current = current.cause;
  }
  return undefined;
}
