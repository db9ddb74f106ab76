/**
 * Turns any failure into the JSON error body `{ error, code, referenceId,
 * timestamp, hint? }`, with the status the SDK's error registry gives
 * (retryable failures answer 503 with Retry-After), in the words of the HTTP
 * API: JSON field names, never SQL parameter names. A 500 carries only a
 * generic message and the reference id. Every error answer is logged as one
 * JSON line under its reference id (see logErrorAnswer).
 */
import { RetryableError, toProjectsError, newReferenceId } from '@projects-core/sdk';
import { HttpError, json } from './http.ts';

/** What an error answer's log line says about its request. */
export interface RequestContext {
  /** The function's name, e.g. create-project. */
  readonly function: string;
  readonly requestId: string;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  /** Who called, once the token is verified: the role, and the user id of a user token. */
  caller?: { role: string; userId?: string };
}

/** Locally, a user token comes from `npm run dev:user`; in an app, from the signed-in session. */
const SIGN_IN_HINT =
  'Send a signed-in user\'s access token as Authorization: Bearer <token> (the anon key is not a user). ' +
  'Locally, `npm run dev:user` creates a user and prints its token.';
const RESET_HINT =
  'The token\'s user does not exist in this database: it was made for another database, or this one was reset ' +
  '(npm run db:reset). Sign in again; locally, run `npm run dev:user` again for a new token.';

/** `p_build_id` → `buildId`: the SQL parameter names in a message, as the HTTP API's JSON fields. */
export function jsonFieldNames(text: string): string;
export function jsonFieldNames(text: string | null): string | null;
export function jsonFieldNames(text: string | null): string | null {
  return text?.replace(/\bp_([a-z][a-z_]*)\b/g, (_, name: string) => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase())) ?? null;
}

interface Answer {
  status: number;
  code: string;
  error: string;
  referenceId: string;
  timestamp: string;
  hint: string | null;
  sqlstate: string | null;
}

function answerOf(e: unknown, ctx?: RequestContext): Answer {
  if (e instanceof HttpError) {
    const hint = e.hint ?? (e.status === 401 ? SIGN_IN_HINT : null);
    return { status: e.status, code: e.code, error: e.message, referenceId: newReferenceId(), timestamp: new Date().toISOString(), hint, sqlstate: null };
  }
  const err = toProjectsError(e);
  const base = { referenceId: err.referenceId, timestamp: err.timestamp, sqlstate: err.sqlstate };
  if (err instanceof RetryableError) {
    return { ...base, status: 503, code: err.code, error: jsonFieldNames(err.message), hint: jsonFieldNames(err.hint) };
  }
  if (err.httpStatus >= 500) {
    return { ...base, status: 500, code: 'internal', error: 'internal error', hint: null };
  }
  // An end user's own id missing from auth.users: the token outlived its database.
  const reset = err.code === 'unknown_user' && ctx?.caller?.role === 'authenticated';
  return {
    ...base,
    status: err.httpStatus,
    code: err.code,
    error: reset ? 'the signed-in user does not exist in this database' : jsonFieldNames(err.message),
    hint: reset ? RESET_HINT : jsonFieldNames(err.hint),
  };
}

/**
 * One JSON line per error answer, 4xx included, so a referenceId a user quotes
 * can be found in the function's logs: error for a 500, warn for a 503, info
 * for the caller's own mistakes. Codes and ids only: never the body, SQL or parameters.
 */
export function logErrorAnswer(a: Answer, ctx: RequestContext | undefined, cause?: unknown): void {
  const line = JSON.stringify({
    level: a.status >= 500 && a.status !== 503 ? 'error' : a.status === 503 ? 'warn' : 'info',
    referenceId: a.referenceId,
    requestId: ctx?.requestId ?? null,
    function: ctx?.function ?? null,
    code: a.code,
    sqlstate: a.sqlstate,
    httpStatus: a.status,
    role: ctx?.caller?.role ?? null,
    userId: ctx?.caller?.userId ?? null,
    durationMs: ctx ? Math.round(performance.now() - ctx.startedAt) : null,
    ...(a.status === 500 ? { message: cause instanceof Error ? cause.message : String(cause) } : {}),
  });
  if (a.status === 500) console.error(line);
  else if (a.status === 503) console.warn(line);
  else console.info(line);
}

export function errorResponse(e: unknown, ctx?: RequestContext): Response {
  const a = answerOf(e, ctx);
  logErrorAnswer(a, ctx, e);
  const headers: Record<string, string> = { ...(e instanceof HttpError ? e.headers : {}), 'x-reference-id': a.referenceId };
  if (a.status === 503) headers['retry-after'] ??= '1';
  const body: Record<string, unknown> = { error: a.error, code: a.code, referenceId: a.referenceId, timestamp: a.timestamp };
  if (a.hint) body.hint = a.hint;
  return json(body, a.status, headers);
}

/** Refuses fields a function does not know (a typo must not be silently ignored), naming the accepted ones. */
export function rejectUnknownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new HttpError(400, 'invalid_input', `unknown field(s): ${unknown.slice(0, 5).join(', ')}; accepted: ${known.join(', ')}`);
  }
}

/** The idempotency key of a request: the Idempotency-Key header or body.idempotencyKey (they must agree). */
export function idempotencyKeyOf(req: Request, body: Record<string, unknown>): unknown {
  const header = req.headers.get('idempotency-key');
  if (header !== null && body.idempotencyKey !== undefined && body.idempotencyKey !== header) {
    throw new HttpError(400, 'invalid_input', 'the Idempotency-Key header and body.idempotencyKey differ');
  }
  return header ?? body.idempotencyKey;
}
