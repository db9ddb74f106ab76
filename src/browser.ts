/**
 * The SDK without its postgres.js transport: everything a browser bundle can
 * use (supabase-js transport, errors, schemas, polling, retries, status
 * mapping). Bundlers pick it through the "browser" export condition.
 */
import { createApi, type ApiOptions, type ProjectsApi } from './api.ts';
import { supabaseTransport, type SupabaseLike } from './transport.ts';

/** The API over supabase-js: `client.rpc()` with the client's session (or key). */
export function fromSupabase(client: SupabaseLike, options: ApiOptions = {}): ProjectsApi {
  return createApi(supabaseTransport(client), options);
}

export type { ApiOptions, ProjectsApi } from './api.ts';
export type { SupabaseLike } from './transport.ts';
export {
  ConflictError,
  ERROR_REGISTRY,
  NotFoundError,
  PermissionError,
  ProjectsError,
  RetryableError,
  ValidationError,
  toProjectsError,
  type Logger,
} from './errors.ts';
export { withRetry, type RetryOptions } from './retry.ts';
export { PollTimeoutError, pollBuildStatus, type PollOptions } from './poll.ts';
export { FINAL_WORKER_STATUSES, WORKER_STATUS_MAP, mapWorkerStatus, type BuildStatus, type ProjectStatus } from './status.ts';
export { newReferenceId, newUlid, isUlid } from './ulid.ts';
export type * from './schemas.ts';
