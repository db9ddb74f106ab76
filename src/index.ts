/**
 * projects-core SDK: typed calls of the database functions over supabase-js
 * (NextJS, edge functions) or postgres.js (workers, scripts, edge functions).
 * Browser bundles get ./browser.ts (the same, without postgres.js).
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
import { postgresTransport, type ActAs } from './postgres.ts';

export * from './browser.ts';

/**
 * The API over postgres.js, acting as a user (`{ userId }`) or `'service_role'`.
 * `statementTimeoutMs` bounds every call (57014, retryable, past it).
 * `read`: a pool on a read replica (`createPostgresClient(readUrl)`); read-only
 * calls (build status, the feed) go there, and a row it has not replayed yet is
 * read from the primary, so a caller always sees its own writes.
 */
export function fromPostgres(
  sql: postgres.Sql,
  options: ApiOptions & { actAs: ActAs; statementTimeoutMs?: number; read?: postgres.Sql },
): ProjectsApi {
  return createApi(postgresTransport(sql, options.actAs, { statementTimeoutMs: options.statementTimeoutMs, read: options.read }), options);
}

export { createPostgresClient, type ActAs, type PostgresClientOptions } from './postgres.ts';
