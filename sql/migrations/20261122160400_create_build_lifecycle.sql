-- migrate:up
-- The build lifecycle: start and complete as single
-- statements that cannot violate the timing or current-build constraints in
-- any order, superseding of in-flight builds, lazy versions, and an explicit
-- worker-status mapping that refuses unknown words instead of defaulting.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.worker_status_map (
  worker_status text primary key,
  project_status text not null
    constraint worker_status_map_project_status_valid check (
      project_status in ('queued', 'building', 'deployed', 'failed', 'canceled', 'superseded')),
  -- The build outcome complete_build records for a final status; null if not final.
  outcome text constraint worker_status_map_outcome_valid check (outcome in ('completed', 'failed', 'canceled'))
);
comment on table public.worker_status_map is
  'Worker build states and the project states they map to; the SDK''s mapWorkerStatus is tested equal to it.';
insert into public.worker_status_map (worker_status, project_status, outcome) values
  ('queued', 'queued', null), ('pending', 'queued', null),
  ('building', 'building', null), ('started', 'building', null), ('running', 'building', null),
  ('completed', 'deployed', 'completed'), ('succeeded', 'deployed', 'completed'), ('deployed', 'deployed', 'completed'),
  ('failed', 'failed', 'failed'), ('error', 'failed', 'failed'),
  ('canceled', 'canceled', 'canceled'), ('cancelled', 'canceled', 'canceled'),
  ('superseded', 'superseded', null);
alter table public.worker_status_map enable row level security;
create policy "anyone reads the worker status map" on public.worker_status_map
  for select to anon, authenticated using (true);
revoke all on public.worker_status_map from public, anon, authenticated;
grant select on public.worker_status_map to anon, authenticated;
grant all on public.worker_status_map to service_role;

create function public.map_worker_status(p_status text) returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_status text;
begin
  select m.project_status into v_status from public.worker_status_map m where m.worker_status = lower(btrim(p_status));
  if v_status is null then
    raise exception 'unknown worker status %', coalesce(quote_literal(left(p_status, 40)), 'NULL')
      using errcode = '22023',
            hint = (select 'known: ' || string_agg(m.worker_status, ', ' order by m.worker_status) from public.worker_status_map m);
  end if;
  return v_status;
end
$$;
comment on function public.map_worker_status(text) is
$$Maps a worker's build status to the project's build_status (case-insensitive).

completed/succeeded/deployed -> deployed, failed/error -> failed, canceled/cancelled -> canceled,
queued/pending -> queued, building/started/running -> building, superseded -> superseded.
Errors: 22023 for an unknown status (never a silent default). Callable by anyone.$$;
revoke execute on function public.map_worker_status(text) from public;
grant execute on function public.map_worker_status(text) to anon, authenticated, service_role;

-- What finishing a build answers: its project, the project's build status
-- ('superseded' for a stale build, which moves nothing) and the version, if any.
create type private.build_outcome as (project_id uuid, build_status text, version_id text);

-- Finishing, case 1: a superseded (stale) build reports. Its outcome, timing and
-- AI time are recorded; the project does not move.
create function private.finish_superseded_build(
  p_build public.project_build_metrics, p_outcome text, p_error_message text, p_actor_role text, p_request_id text
) returns private.build_outcome
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := greatest(clock_timestamp(), p_build.started_at);
begin
  with b as (
    update public.project_build_metrics m
       set outcome = p_outcome, completed_at = v_now, error_message = p_error_message,
           duration_ms = floor(extract(epoch from v_now - p_build.started_at) * 1000)
     where m.id = p_build.id
  ), s as (
    update public.ai_time_sessions a
       set ended_at = greatest(v_now, a.started_at), seconds = extract(epoch from greatest(v_now, a.started_at) - a.started_at)
     where a.build_id = p_build.build_id and a.ended_at is null
  )
  insert into public.project_events (event_type, user_id, project_id, build_id, actor_role, request_id, payload, created_at)
  values ('build_' || p_outcome, p_build.user_id, p_build.project_id, p_build.build_id, p_actor_role, p_request_id,
          jsonb_build_object('stale', true), v_now);
  return (p_build.project_id, 'superseded', null)::private.build_outcome;
end
$$;

-- Finishing, case 2: success. The build's version is created (or an eager one
-- deployed) and becomes the project's current version.
create function private.finish_successful_build(
  p_build public.project_build_metrics, p_prompt text, p_actor_role text, p_request_id text
) returns private.build_outcome
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := greatest(clock_timestamp(), p_build.started_at);
  v_version_id text;
begin
  select v.version_id into v_version_id from public.project_versions v where v.build_id = p_build.build_id;
  v_version_id := coalesce(v_version_id, public.generate_ulid());
  with v as (
    insert into public.project_versions (version_id, project_id, user_id, build_id, status, framework, prompt, created_at)
    values (v_version_id, p_build.project_id, p_build.user_id, p_build.build_id, 'deployed',
            p_build.framework, coalesce(p_prompt, p_build.prompt), v_now)
    on conflict (build_id) do update set status = 'deployed', prompt = coalesce(p_prompt, excluded.prompt)
  ), b as (
    update public.project_build_metrics m
       set status = 'completed', outcome = 'completed', completed_at = v_now, error_message = null,
           duration_ms = floor(extract(epoch from v_now - p_build.started_at) * 1000)
     where m.id = p_build.id
  ), p as (
    update public.projects p
       set build_status = 'deployed', current_version_id = v_version_id, last_build_completed = v_now, updated_at = v_now
     where p.id = p_build.project_id
  ), s as (
    update public.ai_time_sessions a
       set ended_at = v_now, seconds = extract(epoch from v_now - a.started_at)
     where a.build_id = p_build.build_id and a.ended_at is null
  )
  insert into public.project_events (event_type, user_id, project_id, build_id, version_id, actor_role, request_id, created_at)
  values ('build_completed', p_build.user_id, p_build.project_id, p_build.build_id, null, p_actor_role, p_request_id, v_now),
         ('version_created', p_build.user_id, p_build.project_id, p_build.build_id, v_version_id, p_actor_role, p_request_id, v_now);
  return (p_build.project_id, 'deployed', v_version_id)::private.build_outcome;
end
$$;

-- Finishing, case 3: failed or canceled. No version; an eager (provisional) one is discarded.
create function private.finish_unsuccessful_build(
  p_build public.project_build_metrics, p_outcome text, p_error_message text, p_actor_role text, p_request_id text
) returns private.build_outcome
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := greatest(clock_timestamp(), p_build.started_at);
begin
  with dv as (
    delete from public.project_versions v
     where v.build_id = p_build.build_id and v.status = 'building'
    returning v.version_id
  ), b as (
    update public.project_build_metrics m
       set status = p_outcome, outcome = p_outcome, completed_at = v_now, error_message = p_error_message,
           duration_ms = floor(extract(epoch from v_now - p_build.started_at) * 1000)
     where m.id = p_build.id
  ), p as (
    update public.projects p
       set build_status = public.map_worker_status(p_outcome), last_build_completed = v_now, updated_at = v_now,
           current_version_id = case when p.current_version_id in (select dv.version_id from dv) then null
                                     else p.current_version_id end
     where p.id = p_build.project_id
  ), s as (
    update public.ai_time_sessions a
       set ended_at = v_now, seconds = extract(epoch from v_now - a.started_at)
     where a.build_id = p_build.build_id and a.ended_at is null
  )
  insert into public.project_events (event_type, user_id, project_id, build_id, version_id, actor_role, request_id, payload, created_at)
  select 'build_' || p_outcome, p_build.user_id, p_build.project_id, p_build.build_id, null, p_actor_role, p_request_id,
         jsonb_strip_nulls(jsonb_build_object('error', left(p_error_message, 500))), v_now
  union all
  select 'version_discarded', p_build.user_id, p_build.project_id, p_build.build_id, dv.version_id, p_actor_role, p_request_id,
         '{}'::jsonb, v_now
    from dv;
  return (p_build.project_id, public.map_worker_status(p_outcome), null)::private.build_outcome;
end
$$;

-- Finishes a locked build with an outcome: one named step per case.
create function private.finish_build(
  p_build public.project_build_metrics,
  p_outcome text,
  p_error_message text,
  p_prompt text,
  p_actor_role text,
  p_request_id text
) returns private.build_outcome
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_build.status = 'superseded' then
    return private.finish_superseded_build(p_build, p_outcome, p_error_message, p_actor_role, p_request_id);
  elsif p_outcome = 'completed' then
    return private.finish_successful_build(p_build, p_prompt, p_actor_role, p_request_id);
  end if;
  return private.finish_unsuccessful_build(p_build, p_outcome, p_error_message, p_actor_role, p_request_id);
end
$$;

-- migrate:down
drop function private.finish_build(public.project_build_metrics, text, text, text, text, text);
drop function private.finish_unsuccessful_build(public.project_build_metrics, text, text, text, text);
drop function private.finish_successful_build(public.project_build_metrics, text, text, text);
drop function private.finish_superseded_build(public.project_build_metrics, text, text, text, text);
drop type private.build_outcome;
drop function public.map_worker_status(text);
drop table public.worker_status_map;
