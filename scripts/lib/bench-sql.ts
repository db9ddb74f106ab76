/**
 * What the bench runs under pgbench, and the rows it needs: one user per
 * pgbench client (users are numbered 1..USERS, client c acts as user c + 1),
 * one build per user to poll, one idempotency key per user to replay.
 */
import postgres from 'postgres';

export const USERS = 64;

// The same rows create_complete_project writes (project, build, version, AI-time session,
// three events) in one statement: no function, no lock, no checks. ULID columns get
// '0' + 25 hex digits (valid Crockford base32), so the floor is not charged for ULIDs.
const floorCtes = `
with u as (select id from bench.users where n = :client_id + 1),
ids as (
  select gen_random_uuid() as pid,
         '0' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 25)) as bid,
         '0' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 25)) as vid,
         clock_timestamp() as ts
), p as (
  insert into public.projects (id, user_id, name, framework, build_status, current_build_id, current_version_id,
                               last_build_started, created_by_service, created_at, updated_at)
  select ids.pid, u.id, 'Bench ' || :r, 'react', 'building', ids.bid, ids.vid, ids.ts, 'bench', ids.ts, ids.ts from ids, u
  returning id
), b as (
  insert into public.project_build_metrics (build_id, project_id, user_id, is_initial_build, status, framework, prompt, started_at)
  select ids.bid, p.id, u.id, true, 'started', 'react', 'a bench prompt', ids.ts from ids, u, p
  returning id
), v as (
  insert into public.project_versions (version_id, project_id, user_id, build_id, status, framework, prompt, created_at)
  select ids.vid, p.id, u.id, ids.bid, 'building', 'react', 'a bench prompt', ids.ts from ids, u, p
), s as (
  insert into public.ai_time_sessions (build_id, project_id, user_id, started_at)
  select ids.bid, p.id, u.id, ids.ts from ids, u, p
), e as (
  insert into public.project_events (event_type, user_id, project_id, build_id, version_id, actor_role, created_at)
  select t.e, u.id, p.id, ids.bid, case when t.e = 'version_created' then ids.vid end, 'bench', ids.ts
    from ids, u, p, (values ('project_created'), ('build_started'), ('version_created')) as t (e)
)`;

/** The floor: the rows of a create in one statement. */
export const FLOOR_SQL = `${floorCtes}
select id from b;`;

/** The floor of a create with an idempotency key: the same, plus the key row (its fingerprint a plain md5). */
export const FLOOR_KEY_SQL = `${floorCtes}, k as (
  insert into public.idempotency_keys (user_id, idempotency_key, operation, fingerprint, project_id,
                                       build_id, version_id, build_metrics_id, created_at)
  select u.id, gen_random_uuid()::text, 'create_complete_project', md5('Bench ' || :r), p.id, ids.bid, ids.vid, b.id, ids.ts
    from ids, u, p, b
)
select id from b;`;

const ours = (key: string) => `
select * from public.create_complete_project(
  p_user_id => (select id from bench.users where n = :client_id + 1),
  p_name => 'Bench ' || :r, p_framework => 'react', p_prompt => 'a bench prompt'${key});`;

export const OURS_SQL = ours('');
export const OURS_KEY_SQL = ours(', p_idempotency_key => gen_random_uuid()::text');

/** A replay: each client repeats its user's first keyed create. */
export const REPLAY_SQL = `
select * from public.create_complete_project(
  p_user_id => (select id from bench.users where n = :client_id + 1),
  p_name => 'Replayed', p_framework => 'react', p_prompt => 'a bench prompt', p_idempotency_key => 'bench-replay');`;

/** How a poll is sent: the bench measures each, to show where a poll's cost goes. */
export type PollVariant = 'sdk' | 'pipelined' | 'call' | 'query';

/**
 * Polls of one build per user, one script per user with its literals (pgbench
 * picks one at random for each transaction), in four ways from the costliest:
 * - sdk: as the SDK's postgres.js transport sends them, one simple-protocol
 *   round trip that sets the user's role and claims locally, then reads the
 *   build's status through row-level security (run with -M simple);
 * - pipelined: the same two statements prepared, in one pipeline and one
 *   implicit transaction (what a driver with pipelining could send);
 * - call: get_build_status alone, prepared, as the table owner (a worker's
 *   poll: no role switch, no row-level security);
 * - query: the function's query alone, prepared (no function, no checks).
 */
export async function pollScripts(url: string, users: number, variant: PollVariant): Promise<{ name: string; body: string }[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ n: number; claims: string; build_id: string }[]>`select n, claims, build_id from bench.poll where n <= ${users} order by n`;
    // The query variant is the function's own query, read from its body, so that it follows any change to it.
    const [fn] = await sql<{ src: string }[]>`select prosrc as src from pg_proc where oid = 'public.get_build_status(text)'::regprocedure`;
    const query = /\breturn query\s+([^;]*)/i.exec(fn!.src)?.[1]?.trim();
    if (!query?.includes('p_build_id')) throw new Error("bench: get_build_status's body has no `return query ... p_build_id ...;` to measure alone");
    const identity = (claims: string) => `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '${claims}', true)`;
    const call = (build: string) => `select * from public.get_build_status('${build}');`;
    const bodies: Record<PollVariant, (r: { claims: string; build_id: string }) => string> = {
      sdk: (r) => `${identity(r.claims)} \\;\n${call(r.build_id)}`,
      pipelined: (r) => `\\startpipeline\n${identity(r.claims)};\n${call(r.build_id)}\n\\endpipeline`,
      call: (r) => call(r.build_id),
      query: (r) => `${query.replaceAll('p_build_id', `'${r.build_id}'`)};`,
    };
    return rows.map((r) => ({ name: `poll-${variant}-${r.n}.sql`, body: bodies[variant](r) }));
  } finally {
    await sql.end();
  }
}

export const SELECT1_SQL = 'select 1;';

export async function setupBench(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql.unsafe(`
      create schema if not exists bench;
      create table if not exists bench.users (n int primary key, id uuid not null);
      insert into bench.users (n, id) select n, gen_random_uuid() from generate_series(1, ${USERS}) n on conflict do nothing;
      insert into auth.users (id, email) select id, 'bench-' || n || '@example.test' from bench.users on conflict do nothing;
      -- the duplicate storm's other strategies write a bare row here (ours writes the full project)
      create table if not exists bench.s_projects (
        id uuid primary key, user_id uuid not null, name text not null, framework text not null,
        created_at timestamptz not null default clock_timestamp());
      create index if not exists s_projects_owner on bench.s_projects (user_id, name, created_at);
      -- one build per user to poll, and the claims its owner polls with
      create table if not exists bench.poll (n int primary key, claims text not null, build_id text not null);
      insert into bench.poll (n, claims, build_id)
        select u.n, json_build_object('sub', u.id, 'role', 'authenticated')::text,
               (public.create_complete_project(p_user_id => u.id, p_name => 'Polled', p_prompt => 'a bench prompt')).build_id
          from bench.users u
        on conflict do nothing;
      -- the key every replay repeats
      select count(*) from bench.users u,
        lateral public.create_complete_project(p_user_id => u.id, p_name => 'Replayed', p_prompt => 'a bench prompt',
                                               p_idempotency_key => 'bench-replay') c;
      analyze;`);
  } finally {
    await sql.end();
  }
}
