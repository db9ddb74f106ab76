/**
 * The SDK without its postgres.js transport: everything a browser bundle can
 * use (supabase-js transport, errors, schemas, polling, retries, status
 * mapping). Bundlers pick it through the "browser" export condition.
 */
import { createApi, type ApiOptions, type ProjectsApi } from './api.ts';
import { supabaseTransport, type SupabaseLike } from './transport.ts';
import type { RealtimeLike } from './watch.ts';

/** The API over supabase-js: `client.rpc()` with the client's session (or key). */
export function fromSupabase(client: SupabaseLike, options: ApiOptions = {}): ProjectsApi {
  // watchProject(s) subscribe through the client's Realtime (falling back to polling the feed).
  const realtime = isRealtime(client) ? client : undefined;
  return createApi(supabaseTransport(client), { realtime, ...options });
}

function isRealtime(client: object): client is RealtimeLike {
  return typeof (client as Partial<RealtimeLike>).channel === 'function' && typeof (client as Partial<RealtimeLike>).removeChannel === 'function';
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
export {
  watchFeed,
  type FeedListener,
  type FeedReader,
  type RealtimeChannelLike,
  type RealtimeLike,
  type Watch,
  type WatchMode,
  type WatchOptions,
} from './watch.ts';
export { newReferenceId, newUlid, isUlid } from './ulid.ts';
export type * from './schemas.ts';
