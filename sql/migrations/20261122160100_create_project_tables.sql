-- migrate:up
-- The project tables, with every invariant that callers used to enforce in
-- application code moved into named constraints: build timing,
-- the current build and version belonging to the project, one in-flight build.
-- Row-level security: owners read their rows; writes go through the functions.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.frameworks (
  name text primary key
    constraint frameworks_name_format check (name ~ '^[a-z][a-z0-9-]{0,31}$'),
  label text not null,
  created_at timestamptz not null default now()
);
comment on table public.frameworks is 'The frameworks a project may use; insert a row to allow a new one.';
insert into public.frameworks (name, label) values
  ('react', 'React'), ('nextjs', 'Next.js'), ('vue', 'Vue'), ('nuxt', 'Nuxt'),
  ('svelte', 'Svelte'), ('sveltekit', 'SvelteKit'), ('angular', 'Angular'),
  ('astro', 'Astro'), ('remix', 'Remix'), ('solid', 'SolidJS'), ('vanilla', 'Vanilla JS');

create table public.projects (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  name text not null
    constraint projects_name_valid check (
      name = btrim(name) and char_length(name) between 1 and 120
      and name !~ '[[:cntrl:]\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]'),
  framework text not null
    constraint projects_framework_fk references public.frameworks (name),
  build_status text not null default 'queued'
    constraint projects_build_status_valid check (
      build_status in ('queued', 'building', 'deployed', 'failed', 'canceled', 'superseded')),
  current_build_id public.ulid,
  current_version_id public.ulid,
  last_build_started timestamptz,
  last_build_completed timestamptz,
  created_by_service text not null
    constraint projects_created_by_service_format check (
      char_length(created_by_service) <= 50 and created_by_service ~ '^[a-z][a-z0-9_-]*$'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint projects_build_timing_logical check (
    last_build_completed is null
    or (last_build_started is not null and last_build_completed >= last_build_started))
);
comment on table public.projects is
  'A user''s project. Written only through create_complete_project, create_project_for_build, start_build and complete_build.';
comment on column public.projects.created_by_service is
  'Who created the project: the p_source a service_role caller passed, else the caller''s role.';

create table public.project_build_metrics (
  id bigint generated always as identity primary key,
  build_id public.ulid not null constraint project_build_metrics_build_id_key unique,
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  is_initial_build boolean not null default false,
  status text not null default 'started'
    constraint project_build_metrics_status_valid check (
      status in ('started', 'completed', 'failed', 'canceled', 'superseded')),
  -- The worker's final word; for a superseded build it is recorded but moves nothing.
  outcome text
    constraint project_build_metrics_outcome_valid check (outcome in ('completed', 'failed', 'canceled')),
  framework text not null,
  prompt text constraint project_build_metrics_prompt_length check (char_length(prompt) <= 100000),
  error_message text constraint project_build_metrics_error_length check (char_length(error_message) <= 10000),
  superseded_by public.ulid,
  started_at timestamptz not null default now(),
  completed_at timestamptz,
  duration_ms bigint,
  constraint project_build_metrics_project_build_key unique (project_id, build_id),
  constraint project_build_metrics_timing_logical check (completed_at is null or completed_at >= started_at),
  constraint project_build_metrics_duration_matches check (
    (completed_at is null and duration_ms is null)
    or duration_ms = floor(extract(epoch from completed_at - started_at) * 1000)),
  constraint project_build_metrics_outcome_consistent check (
    case status
      when 'started' then outcome is null and completed_at is null
      when 'superseded' then (outcome is null) = (completed_at is null)
      else outcome = status and completed_at is not null
    end)
);
comment on table public.project_build_metrics is
  'One row per build: started by create_* or start_build, finished by complete_build.';

-- At most one in-flight build per project, whatever the callers do.
create unique index project_build_metrics_one_in_flight
  on public.project_build_metrics (project_id) where status = 'started';
create index project_build_metrics_user_id_idx on public.project_build_metrics (user_id);
create index project_build_metrics_started_at_idx on public.project_build_metrics (started_at);

create table public.project_versions (
  version_id public.ulid primary key,
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  -- One version per build, and only for a build that exists.
  build_id public.ulid not null
    constraint project_versions_build_id_key unique
    constraint project_versions_build_fk references public.project_build_metrics (build_id) on delete cascade,
  -- 'building' only for the eager initial version of create_complete_project.
  status text not null default 'deployed'
    constraint project_versions_status_valid check (status in ('building', 'deployed')),
  framework text not null,
  prompt text constraint project_versions_prompt_length check (char_length(prompt) <= 100000),
  created_at timestamptz not null default now(),
  constraint project_versions_project_version_key unique (project_id, version_id)
);
comment on table public.project_versions is
  'Versions exist only for successful builds (created lazily, so a failed build leaves no ghost version).';
create index project_versions_user_id_idx on public.project_versions (user_id);

alter table public.projects
  add constraint projects_current_build_fk foreign key (id, current_build_id)
    references public.project_build_metrics (project_id, build_id),
  add constraint projects_current_version_fk foreign key (id, current_version_id)
    references public.project_versions (project_id, version_id);
create index projects_user_id_created_at_idx on public.projects (user_id, created_at desc);
create index projects_framework_idx on public.projects (framework);
create index projects_current_build_id_idx on public.projects (current_build_id);
create index projects_current_version_id_idx on public.projects (current_version_id);
-- The keyless duplicate window (same owner, name and framework within
-- projects.duplicate_window) is one probe of this index.
create index projects_duplicate_window_idx on public.projects (user_id, name, framework, created_at desc);

create table public.ai_time_sessions (
  id bigint generated always as identity primary key,
  build_id public.ulid not null
    constraint ai_time_sessions_build_id_key unique
    references public.project_build_metrics (build_id) on delete cascade,
  project_id uuid not null references public.projects (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  session_type text not null default 'main_build',
  started_at timestamptz not null,
  ended_at timestamptz,
  seconds numeric(12, 3),
  constraint ai_time_sessions_timing_logical check (ended_at is null or ended_at >= started_at),
  constraint ai_time_sessions_seconds_when_ended check ((ended_at is null) = (seconds is null))
);
comment on table public.ai_time_sessions is
  'AI-time billing: opened with the build in the same transaction, closed when it reports.';
create index ai_time_sessions_project_id_idx on public.ai_time_sessions (project_id);
create index ai_time_sessions_user_id_idx on public.ai_time_sessions (user_id);

create table public.project_events (
  id bigint generated always as identity primary key,
  event_type text not null
    constraint project_events_type_valid check (event_type in (
      'project_created', 'build_started', 'build_superseded', 'build_completed', 'build_failed',
      'build_canceled', 'version_created', 'version_discarded', 'client_created')),
  user_id uuid not null references auth.users (id) on delete cascade,
  project_id uuid references public.projects (id) on delete cascade,
  build_id public.ulid,
  version_id public.ulid,
  client_id text,
  actor_role text not null,
  source text,
  request_id text,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  -- The transaction that wrote the event (xid8 never wraps around): the project feed's order.
  txid xid8 not null default pg_current_xact_id()
);
comment on table public.project_events is
  'Audit trail of every transition. Owners can read theirs; subscribe with Supabase Realtime.';
comment on column public.project_events.txid is
  'The transaction that wrote the event: the feed''s order is (txid, id), and it hands out an event only once every transaction older than the oldest one still running has ended.';
create index project_events_user_id_created_at_idx on public.project_events (user_id, created_at desc);
-- The feed's two scans: one project's events, and an owner's events, in feed order.
create index project_events_project_feed_idx on public.project_events (project_id, txid, id);
create index project_events_user_feed_idx on public.project_events (user_id, txid, id);
create index project_events_created_at_idx on public.project_events (created_at);

create table public.idempotency_keys (
  user_id uuid not null references auth.users (id) on delete cascade,
  idempotency_key text not null,
  operation text not null,
  fingerprint text not null,
  project_id uuid not null references public.projects (id) on delete cascade,
  build_id public.ulid,
  version_id public.ulid,
  build_metrics_id bigint,
  superseded_build_id public.ulid,
  created_at timestamptz not null default now(),
  primary key (user_id, idempotency_key)
);
comment on table public.idempotency_keys is
  'Keys of idempotent calls, unique per owner, with the fingerprint of their parameters and their result.';
create index idempotency_keys_project_id_idx on public.idempotency_keys (project_id);
-- prune_idempotency_records finds old keys by created_at.
create index idempotency_keys_created_at_idx on public.idempotency_keys (created_at);

-- Row-level security: owners read their own rows; nobody but the functions
-- (security definer) and service_role (bypassrls, as on Supabase) writes.
alter table public.frameworks enable row level security;
alter table public.projects enable row level security;
alter table public.project_build_metrics enable row level security;
alter table public.project_versions enable row level security;
alter table public.ai_time_sessions enable row level security;
alter table public.project_events enable row level security;
alter table public.idempotency_keys enable row level security;

create policy "anyone reads the frameworks" on public.frameworks
  for select to anon, authenticated using (true);
create policy "owners read their projects" on public.projects
  for select to authenticated using (user_id = (select auth.uid()));
create policy "owners read their builds" on public.project_build_metrics
  for select to authenticated using (user_id = (select auth.uid()));
create policy "owners read their versions" on public.project_versions
  for select to authenticated using (user_id = (select auth.uid()));
create policy "owners read their ai time" on public.ai_time_sessions
  for select to authenticated using (user_id = (select auth.uid()));
create policy "owners read their events" on public.project_events
  for select to authenticated using (user_id = (select auth.uid()));

revoke all on public.frameworks, public.projects, public.project_build_metrics, public.project_versions,
  public.ai_time_sessions, public.project_events, public.idempotency_keys
  from public, anon, authenticated;
grant select on public.frameworks to anon, authenticated;
grant select on public.projects, public.project_build_metrics, public.project_versions,
  public.ai_time_sessions, public.project_events to authenticated;
grant all on public.frameworks, public.projects, public.project_build_metrics, public.project_versions,
  public.ai_time_sessions, public.project_events, public.idempotency_keys
  to service_role;

-- migrate:down
drop table public.idempotency_keys;
drop table public.project_events;
drop table public.ai_time_sessions;
alter table public.projects drop constraint projects_current_build_fk, drop constraint projects_current_version_fk;
drop table public.project_versions;
drop table public.project_build_metrics;
drop table public.projects;
drop table public.frameworks;
