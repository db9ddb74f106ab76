/**
 * Turns any failure into the JSON error body of seed 004:
 * `{ error, code, referenceId, timestamp }`, with the status the SDK's error
 * registry gives (retryable failures answer 503 with Retry-After). A 500
 * carries only a generic message and the reference id; the details go to the
 * log under that id.
 */
import { RetryableError, toProjectsError, newReferenceId } from '@projects-core/sdk';
import { HttpError, json } from './http.ts';

export function errorResponse(e: unknown): Response {
  const timestamp = new Date().toISOString();
  if (e instanceof HttpError) {
    const referenceId = newReferenceId();
    return json({ error: e.message, code: e.code, referenceId, timestamp }, e.status, { ...e.headers, 'x-reference-id': referenceId });
  }
  const err = toProjectsError(e);
  const headers: Record<string, string> = { 'x-reference-id': err.referenceId };
  if (err instanceof RetryableError) {
    headers['retry-after'] = '1';
    return json({ error: err.message, code: err.code, referenceId: err.referenceId, timestamp: err.timestamp }, 503, headers);
  }
  if (err.httpStatus >= 500) {
    console.error(`[${err.referenceId}] ${err.code} ${err.sqlstate ?? ''}: ${err.message}`);
    return json({ error: 'internal error', code: 'internal', referenceId: err.referenceId, timestamp: err.timestamp }, 500, headers);
  }
  return json({ error: err.message, code: err.code, referenceId: err.referenceId, timestamp: err.timestamp }, err.httpStatus, headers);
}

/** Refuses fields a function does not know (a typo must not be silently ignored). */
export function rejectUnknownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length) throw new HttpError(400, 'invalid_input', `unknown field(s): ${unknown.slice(0, 5).join(', ')}`);
}

/** The idempotency key of a request: the Idempotency-Key header or body.idempotencyKey (they must agree). */
export function idempotencyKeyOf(req: Request, body: Record<string, unknown>): unknown {
  const header = req.headers.get('idempotency-key');
  if (header !== null && body.idempotencyKey !== undefined && body.idempotencyKey !== header) {
    throw new HttpError(400, 'invalid_input', 'the Idempotency-Key header and body.idempotencyKey differ');
  }
  return header ?? body.idempotencyKey;
}
