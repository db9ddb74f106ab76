/**
 * Server-side database access: the SDK over postgres.js acting as the signed-in
 * user, and RLS-protected reads.
 * On hosted Supabase you could use fromSupabase(createServerClient(...)) instead:
 * the same API over PostgREST. Locally there is no PostgREST, so postgres.js it is.
 */
import 'server-only';
import { createPostgresClient, fromPostgres, type FeedEvent, type ProjectsApi } from '@projects-core/sdk';
import type postgres from 'postgres';
import { config } from './config';
import { applyToBuilds, applyToProjects, type Build, type ProjectSummary } from './timeline';

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

export interface Framework {
  name: string;
  label: string;
}

/** The frameworks the database accepts (public.frameworks), for the create form. */
export const listFrameworks = (userId: string) =>
  readAsUser<Framework>(userId, 'select name, label from public.frameworks order by label');

/** Every event of the feed after `after` (one project's, or all the user's), and the cursor to watch from. */
async function readFeed(userId: string, projectId?: string): Promise<{ events: FeedEvent[]; cursor: string | null }> {
  const api = apiFor(userId);
  const events: FeedEvent[] = [];
  let cursor: string | null = null;
  for (;;) {
    const page = await api.getProjectFeed({ projectId, after: cursor, limit: 1000 });
    events.push(...page.events);
    cursor = page.cursor;
    if (page.events.length < 1000) return { events, cursor };
  }
}

/** The user's projects, newest first, folded from the feed, and the cursor to watch the list from. */
export async function listProjects(userId: string): Promise<{ projects: ProjectSummary[]; cursor: string | null }> {
  const { events, cursor } = await readFeed(userId);
  return { projects: applyToProjects([], events), cursor };
}

export interface ProjectPage {
  project: ProjectSummary;
  builds: Build[];
  cursor: string | null;
}

/** A project of the user with its builds, or null when it does not exist or is not theirs (row-level security). */
export async function getProject(userId: string, projectId: string): Promise<ProjectPage | null> {
  if (!UUID.test(projectId)) return null;
  const [row] = await readAsUser<ProjectRow>(userId, `select id, name, framework, build_status, current_build_id, current_version_id, created_at
                                                        from public.projects where id = '${projectId}'`);
  if (!row) return null;
  const { events, cursor } = await readFeed(userId, projectId);
  const project: ProjectSummary = {
    id: row.id,
    name: row.name,
    framework: row.framework,
    status: row.build_status as ProjectSummary['status'],
    createdAt: new Date(row.created_at).toISOString(),
  };
  return { project: applyToProjects([project], events)[0] ?? project, builds: applyToBuilds([], events), cursor };
}
