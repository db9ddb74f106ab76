/**
 * projects-core SDK: typed calls of the database functions over supabase-js
 * (NextJS, edge functions) or postgres.js (workers, scripts).
 *
 * @example NextJS (the user's session; row-level security applies)
 * const api = fromSupabase(supabase);
 * const { projectId, buildId } = await api.createCompleteProject({ name, framework: 'nextjs', idempotencyKey });
 *
 * @example a worker
 * const api = fromPostgres(createPostgresClient(process.env.DATABASE_URL!), { actAs: 'service_role' });
 * await api.completeBuild({ buildId, status: 'completed' });
 */
import type postgres from 'postgres';
import { createApi, type ApiOptions, type ProjectsApi } from './api.ts';
import { postgresTransport, supabaseTransport, type ActAs, type SupabaseLike } from './transport.ts';

/** The API over supabase-js: `client.rpc()` with the client's session (or key). */
export function fromSupabase(client: SupabaseLike, options: ApiOptions = {}): ProjectsApi {
  return createApi(supabaseTransport(client), options);
}

/** The API over postgres.js, acting as a user (`{ userId }`) or `'service_role'`. */
export function fromPostgres(sql: postgres.Sql, options: ApiOptions & { actAs: ActAs }): ProjectsApi {
  return createApi(postgresTransport(sql, options.actAs), options);
}

export type { ApiOptions, ProjectsApi } from './api.ts';
export { createPostgresClient, type ActAs, type PostgresClientOptions, type SupabaseLike } from './transport.ts';
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
