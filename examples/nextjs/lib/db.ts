/**
 * Server-side database access: the SDK over postgres.js acting as the signed-in
 * user, and RLS-protected reads.
 * On hosted Supabase you could use fromSupabase(createServerClient(...)) instead:
 * the same API over PostgREST. Locally there is no PostgREST, so postgres.js it is.
 */
import 'server-only';
import { createPostgresClient, fromPostgres, type ProjectsApi } from '@projects-core/sdk';
import type postgres from 'postgres';
import { config } from './config';

const globalForDb = globalThis as unknown as { projectsSql?: postgres.Sql };
// One small pool per server process (kept across hot reloads in development).
export const sql = (globalForDb.projectsSql ??= createPostgresClient(config.databaseUrl, { max: 4 }));

export const apiFor = (userId: string): ProjectsApi => fromPostgres(sql, { actAs: { userId } });

export interface ProjectRow {
  id: string;
  name: string;
  framework: string;
  build_status: string;
  current_build_id: string | null;
  current_version_id: string | null;
  created_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs a read as the user: role authenticated and their claims, so row-level security decides. */
async function readAsUser<T>(userId: string, query: string): Promise<T[]> {
  if (!UUID.test(userId)) throw new Error('not a user id');
  const claims = JSON.stringify({ sub: userId, role: 'authenticated' });
  // One query, two statements, one implicit transaction: the settings are local to it.
  const results = (await sql.unsafe(
    `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '${claims}', true); ${query}`,
  )) as unknown as T[][];
  return results[1] ?? [];
}

export const listProjects = (userId: string) =>
  readAsUser<ProjectRow>(userId, `select id, name, framework, build_status, current_build_id, current_version_id, created_at
                                    from public.projects order by created_at desc limit 50`);

export async function getProject(userId: string, projectId: string): Promise<ProjectRow | null> {
  if (!UUID.test(projectId)) return null;
  const rows = await readAsUser<ProjectRow>(userId, `select id, name, framework, build_status, current_build_id, current_version_id, created_at
                                                       from public.projects where id = '${projectId}'`);
  return rows[0] ?? null;
}
