/**
 * One error family for every SDK call, built by one pure function from a
 * PostgREST error body ({ code, message, details, hint }), a postgres.js
 * error ({ code, message, detail, hint }), a zod failure or a network failure.
 * Errors are classified by the SQLSTATE, never by an HTTP status: PostgREST
 * answers 500 for 40001, 40P01, 55P03 and 57014, and supabase-js reports a
 * network failure as status 0 (outcome unknown).
 */
import { newReferenceId } from './ulid.ts';

export type ErrorClass = 'validation' | 'permission' | 'not_found' | 'conflict' | 'retryable' | 'internal';

export interface RegistryEntry {
  code: string;
  httpStatus: number;
  kind: ErrorClass;
  meaning: string;
}

/**
 * The project's error registry: SQLSTATE → stable code, HTTP status and class.
 * The Errors table of docs/sql-api.md lists the same rows (a test keeps them equal).
 */
export const ERROR_REGISTRY = {
  '22023': { code: 'invalid_input', httpStatus: 400, kind: 'validation', meaning: 'invalid parameter' },
  '22P02': { code: 'invalid_input', httpStatus: 400, kind: 'validation', meaning: 'malformed value for a typed parameter' },
  '42501': { code: 'permission_denied', httpStatus: 403, kind: 'permission', meaning: 'not allowed' },
  '23503': { code: 'unknown_user', httpStatus: 409, kind: 'conflict', meaning: 'p_user_id is not in auth.users' },
  PT404: { code: 'not_found', httpStatus: 404, kind: 'not_found', meaning: 'not found, or not yours' },
  PT409: { code: 'conflict', httpStatus: 409, kind: 'conflict', meaning: 'conflicting state' },
  PT422: { code: 'idempotency_key_reused', httpStatus: 422, kind: 'conflict', meaning: 'idempotency key reused with different parameters' },
  '55P03': { code: 'lock_timeout', httpStatus: 503, kind: 'retryable', meaning: 'lock wait over projects.lock_timeout' },
  '40001': { code: 'serialization_failure', httpStatus: 503, kind: 'retryable', meaning: 'serialization failure' },
  '40P01': { code: 'deadlock', httpStatus: 503, kind: 'retryable', meaning: 'deadlock' },
  '57014': { code: 'statement_timeout', httpStatus: 503, kind: 'retryable', meaning: 'statement timeout or canceled' },
} as const satisfies Record<string, RegistryEntry>;

export type RegisteredSqlstate = keyof typeof ERROR_REGISTRY;

/** Our stable codes back to a SQLSTATE (first registered wins: invalid_input is 22023). */
const SQLSTATE_BY_CODE: Record<string, string> = {};
for (const [state, entry] of Object.entries(ERROR_REGISTRY)) SQLSTATE_BY_CODE[entry.code] ??= state;

/** Classes of SQLSTATEs outside the registry (by their first two characters). */
function classify(sqlstate: string | null): RegistryEntry {
  if (sqlstate && sqlstate in ERROR_REGISTRY) return ERROR_REGISTRY[sqlstate as RegisteredSqlstate];
  const cls = sqlstate?.slice(0, 2);
  if (cls === '22' || sqlstate === '23502' || sqlstate === '23514') {
    return { code: 'invalid_input', httpStatus: 400, kind: 'validation', meaning: 'invalid data' };
  }
  if (cls === '08' || sqlstate === '57P01' || sqlstate === '57P02' || sqlstate === '57P03' || sqlstate === '53300') {
    return { code: 'unavailable', httpStatus: 503, kind: 'retryable', meaning: 'the database is unavailable' };
  }
  if (sqlstate === '23505') return { code: 'duplicate', httpStatus: 409, kind: 'conflict', meaning: 'duplicate key' };
  if (sqlstate && SESSION_ERRORS.has(sqlstate)) {
    return { code: 'invalid_session', httpStatus: 401, kind: 'permission', meaning: 'the session is expired or invalid' };
  }
  if (cls === '28') {
    return { code: 'database_auth_failed', httpStatus: 500, kind: 'internal', meaning: 'the database refused the credentials of the connection' };
  }
  if (sqlstate === '42883' || sqlstate === 'PGRST202') {
    return { code: 'function_not_found', httpStatus: 404, kind: 'internal', meaning: 'the function or its parameters do not exist (migrations applied?)' };
  }
  return { code: 'internal', httpStatus: 500, kind: 'internal', meaning: 'unexpected error' };
}

export interface ProjectsErrorInit {
  message: string;
  code: string;
  sqlstate: string | null;
  httpStatus: number;
  details?: string | null;
  hint?: string | null;
  cause?: unknown;
  /** The reference id a server already gave this error (else a new one is made). */
  referenceId?: string;
}

/** Base class of every error the SDK throws. */
export class ProjectsError extends Error {
  override name = 'ProjectsError';
  /** Stable, documented code (see ERROR_REGISTRY). */
  readonly code: string;
  /** The SQLSTATE the database raised, when there was one. */
  readonly sqlstate: string | null;
  /** The HTTP status an API answers with for this error. */
  readonly httpStatus: number;
  /** A ULID to quote to support; logged with the error. */
  readonly referenceId: string;
  readonly timestamp: string = new Date().toISOString();
  readonly details: string | null;
  readonly hint: string | null;

  constructor(init: ProjectsErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.referenceId = init.referenceId ?? newReferenceId();
    this.code = init.code;
    this.sqlstate = init.sqlstate;
    this.httpStatus = init.httpStatus;
    this.details = init.details ?? null;
    this.hint = init.hint ?? null;
  }

  /** A JSON body safe to return to a caller (no SQL, no parameters). */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      sqlstate: this.sqlstate,
      message: this.message,
      httpStatus: this.httpStatus,
      referenceId: this.referenceId,
      timestamp: this.timestamp,
      hint: this.hint,
    };
  }
}

/** Bad input: fix it; retrying the same call cannot succeed. */
export class ValidationError extends ProjectsError {
  override name = 'ValidationError';
  /** Field-level problems found before the call (zod), as "field: problem". */
  readonly issues: string[];
  constructor(init: ProjectsErrorInit & { issues?: string[] }) {
    super(init);
    this.issues = init.issues ?? [];
  }
}
/** Not allowed: sign in, or call as service_role. */
export class PermissionError extends ProjectsError {
  override name = 'PermissionError';
}
/** Not found, or not yours (nothing is revealed about other users' rows). */
export class NotFoundError extends ProjectsError {
  override name = 'NotFoundError';
}
/** A conflicting state or a reused idempotency key: do not retry as is. */
export class ConflictError extends ProjectsError {
  override name = 'ConflictError';
}
/** Transient: retry the same call with the same idempotency key (withRetry does). */
export class RetryableError extends ProjectsError {
  override name = 'RetryableError';
}

const CLASSES = {
  validation: ValidationError,
  permission: PermissionError,
  not_found: NotFoundError,
  conflict: ConflictError,
  retryable: RetryableError,
  internal: ProjectsError,
} as const;

type Loose = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** PostgREST's JWT errors: expired (PGRST303), invalid (PGRST301), missing where required (PGRST302). */
const SESSION_ERRORS = new Set(['PGRST301', 'PGRST302', 'PGRST303']);

/** Failures to reach the server at all: nothing was sent, so nothing happened. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'CONNECT_TIMEOUT']);
/** Failures on an established connection: the call may or may not have run. */
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'UND_ERR_SOCKET',
]);

/**
 * How a call failed to reach the server, if it did: 'unavailable' when the
 * connection was never made (refused, unknown host: the call did not run),
 * 'network' when it broke on the way (the outcome is unknown), else null.
 */
function transportFailure(e: Loose, status: number | undefined): 'unavailable' | 'network' | null {
  const cause = e.cause as Loose | undefined;
  const code = str(e.code) ?? str(cause?.code);
  const msg = `${str(e.message) ?? ''} ${str(e.details) ?? ''} ${str(cause?.message) ?? ''}`;
  if (code && UNREACHABLE_CODES.has(code)) return 'unavailable';
  if (code && NETWORK_CODES.has(code)) return 'network';
  const sqlstate = code !== null && /^[0-9A-Z]{5}$/.test(code);
  if (!sqlstate && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH/.test(msg)) return 'unavailable';
  if (status === 0) return 'network';
  return !sqlstate && /fetch failed|network|ECONNRESET|socket hang up|Failed to fetch/i.test(msg) ? 'network' : null;
}

/**
 * Builds the typed error for anything a call can throw or return:
 * a PostgREST error body (with the HTTP status supabase-js reported),
 * a postgres.js PostgresError, a network failure, or an SDK error (returned as is).
 */
export function toProjectsError(e: unknown, status?: number): ProjectsError {
  if (e instanceof ProjectsError) return e;
  const o: Loose = typeof e === 'object' && e !== null ? (e as Loose) : { message: String(e) };
  const failure = transportFailure(o, status);
  if (failure === 'unavailable') {
    return new RetryableError({
      message: `the server could not be reached, the call did not run: ${str(o.message) ?? 'connection refused'}`,
      code: 'unavailable',
      sqlstate: null,
      httpStatus: 503,
      hint: 'Check that the server is running and its URL; then retry.',
      cause: e,
    });
  }
  if (failure === 'network') {
    return new RetryableError({
      message: `network failure, the outcome is unknown: ${str(o.message) ?? 'no response'}`,
      code: 'network',
      sqlstate: null,
      httpStatus: 503,
      hint: 'Retry with the same idempotency key.',
      cause: e,
    });
  }
  const raw = str(o.code);
  // An edge function's body ({ error, code, referenceId }) carries our stable code, not a SQLSTATE.
  const fromCode = raw && raw in SQLSTATE_BY_CODE ? SQLSTATE_BY_CODE[raw] : undefined;
  const sqlstate = fromCode ?? (raw && /^[0-9A-Z]{5}$/.test(raw) ? raw : raw?.startsWith('PGRST') ? raw : null);
  let entry = classify(sqlstate);
  if (!fromCode && raw && !sqlstate && status !== undefined && status >= 400 && status < 500) {
    // An HTTP error the edge functions answer themselves (unauthorized, invalid_json, ...).
    entry = { code: raw, httpStatus: status, kind: status === 401 || status === 403 ? 'permission' : status === 404 ? 'not_found' : 'validation', meaning: raw };
  } else if (!fromCode && raw && !sqlstate && status === 503) {
    // The edge functions shedding load (too_many_requests) or waiting on the signing keys: retry later.
    entry = { code: raw, httpStatus: 503, kind: 'retryable', meaning: raw };
  }
  const Cls = CLASSES[entry.kind];
  const httpStatus = entry.kind === 'permission' && status === 401 ? 401 : entry.httpStatus;
  const referenceId = str(o.referenceId);
  return new Cls({
    referenceId: referenceId && /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(referenceId) ? referenceId : undefined,
    message: str(o.message) ?? str(o.error) ?? entry.meaning,
    code: entry.code,
    sqlstate,
    httpStatus,
    details: str(o.details) ?? str(o.detail),
    hint: str(o.hint) ?? HINTS[entry.code] ?? null,
    cause: e,
  });
}

/** What to do next, for errors whose source gives no hint. */
const HINTS: Record<string, string> = {
  invalid_session: 'The session expired or its token is invalid: refresh the session (supabase.auth.refreshSession()) or sign in again.',
  database_auth_failed: 'Check the user and password in the database URL.',
};

/** Where the SDK logs errors (with their reference id). `null` silences it. */
export type Logger = Pick<Console, 'error'> | null;

export function logError(logger: Logger, op: string, err: ProjectsError): void {
  // Codes and the message only: never SQL text or parameters.
  logger?.error(`[projects-core] ${op} failed: ${err.name} ${err.code}${err.sqlstate ? ` (${err.sqlstate})` : ''} ref=${err.referenceId}: ${err.message}`);
}
