/**
 * The browser's way in: supabase-js (from @supabase/ssr) with the user's token,
 * calling the edge functions `npm start` serves. Failures become the SDK's
 * typed errors, keeping the server's reference id.
 */
import { createBrowserClient } from '@supabase/ssr';
import { FunctionsHttpError, type SupabaseClient } from '@supabase/supabase-js';
import { toProjectsError, type FeedPage, type FeedReader, type ProjectsError } from '@projects-core/sdk';

export interface ClientEnv {
  supabaseUrl: string;
  anonKey: string;
  token: string;
}

const clients = new Map<string, SupabaseClient>();

/** One supabase-js client per session token in this tab (its Realtime connection is shared by the watches). */
export function browserClient(env: ClientEnv): SupabaseClient {
  const id = `${env.supabaseUrl} ${env.token}`;
  let supabase = clients.get(id);
  if (!supabase) {
    supabase = createBrowserClient(env.supabaseUrl, env.anonKey, {
      global: { headers: { Authorization: `Bearer ${env.token}` } },
      auth: { persistSession: false, autoRefreshToken: false },
      isSingleton: false,
    });
    // Realtime authorizes with the user's token too, so row-level security filters what it sends.
    void supabase.realtime.setAuth(env.token);
    clients.set(id, supabase);
  }
  return supabase;
}

/** Reads the project feed through the project-feed edge function (the SDK's watchFeed polls it). */
export function feedReader(supabase: SupabaseClient): FeedReader {
  return ({ projectId, after, limit }) => {
    const query = new URLSearchParams({ limit: String(limit) });
    if (projectId) query.set('projectId', projectId);
    if (after) query.set('after', after);
    return invoke<FeedPage>(supabase, `project-feed?${query}`, { method: 'GET' });
  };
}

/** Calls an edge function; throws a ProjectsError (with the server's referenceId) on failure. */
export async function invoke<T>(
  supabase: SupabaseClient,
  name: string,
  options: { body?: Record<string, unknown>; method?: 'GET' | 'POST'; headers?: Record<string, string> } = {},
): Promise<T> {
  const { data, error } = await supabase.functions.invoke(name, { method: options.method ?? 'POST', body: options.body, headers: options.headers });
  if (!error) return data as T;
  if (error instanceof FunctionsHttpError) {
    const res = error.context as Response;
    const body = await res.json().catch(() => ({ error: error.message }));
    throw toProjectsError(body, res.status);
  }
  throw toProjectsError(error, 0);
}

export const describeError = (e: unknown): { message: string; referenceId: string | null } => {
  const err = toProjectsError(e) as ProjectsError;
  return { message: err.message, referenceId: err.referenceId };
};
