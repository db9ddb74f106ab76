-- migrate:up
-- The public build API: start_build (superseding the in-flight build),
-- complete_build and create_version_on_success (idempotent per build), and
-- get_build_status for polling.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create type private.build_start as (
  build_id text,
  build_metrics_id bigint,
  superseded_build_id text,
  created boolean
);

-- Step 2 of start_build: supersede the build in flight and start the new one, in
-- one statement so no constraint sees a half-done transition: the old build is
-- superseded before the new one is inserted (b reads old), and the project's
-- current build, timing, framework and version are checked only at its end.
-- The caller holds the project's row lock.
create function private.insert_build(
  p_project public.projects, p_framework text, p_prompt text, p_actor_role text, p_request_id text,
  p_idempotency_key text, p_fingerprint text
) returns private.build_start
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_now timestamptz := clock_timestamp();
  v_build_id text := public.generate_ulid();
  v_result private.build_start;
begin
  with old as (
    update public.project_build_metrics m
       set status = 'superseded', superseded_by = v_build_id
     where m.project_id = p_project.id and m.status = 'started'
    returning m.build_id
  ), dv as (
    delete from public.project_versions v
     using old where v.build_id = old.build_id and v.status = 'building'
    returning v.version_id, v.build_id
  ), sa as (
    -- Billing stops for an abandoned build when it is superseded, not when (or if) it reports.
    update public.ai_time_sessions a
       set ended_at = greatest(v_now, a.started_at), seconds = extract(epoch from greatest(v_now, a.started_at) - a.started_at)
      from old
     where a.build_id = old.build_id and a.ended_at is null
  ), b as (
    insert into public.project_build_metrics (build_id, project_id, user_id, is_initial_build, status,
                                              framework, prompt, started_at)
    select v_build_id, p_project.id, p_project.user_id, false, 'started', p_framework, p_prompt, v_now
      from (select count(*) from old) as after_old
    returning id
  ), p as (
    update public.projects p
       set build_status = 'building', current_build_id = v_build_id, last_build_started = v_now,
           last_build_completed = null, updated_at = v_now, framework = p_framework,
           current_version_id = case when p.current_version_id in (select dv.version_id from dv) then null
                                     else p.current_version_id end
     where p.id = p_project.id
  ), s as (
    insert into public.ai_time_sessions (build_id, project_id, user_id, started_at)
    values (v_build_id, p_project.id, p_project.user_id, v_now)
  ), e as (
    insert into public.project_events (event_type, user_id, project_id, build_id, version_id, actor_role,
                                       request_id, payload, created_at)
    select 'build_started', p_project.user_id, p_project.id, v_build_id, null, p_actor_role, p_request_id,
           '{}'::jsonb, v_now
    union all
    select 'build_superseded', p_project.user_id, p_project.id, old.build_id, null, p_actor_role, p_request_id,
           jsonb_build_object('superseded_by', v_build_id), v_now from old
    union all
    select 'version_discarded', p_project.user_id, p_project.id, dv.build_id, dv.version_id, p_actor_role,
           p_request_id, '{}'::jsonb, v_now from dv
  ), k as (
    insert into public.idempotency_keys (user_id, idempotency_key, operation, fingerprint, project_id,
                                         build_id, build_metrics_id, superseded_build_id, created_at)
    select p_project.user_id, p_idempotency_key, 'start_build', p_fingerprint, p_project.id,
           v_build_id, b.id, (select old.build_id from old limit 1), v_now
      from b where p_idempotency_key is not null
  )
  select v_build_id, b.id, (select old.build_id::text from old limit 1), true into v_result from b;
  return v_result;
end
$$;

-- start_build in named steps: find the caller's project, replay by key, then
-- lock the project and insert the new build.
create function private.start_build(
  p_project_id uuid, p_prompt text, p_idempotency_key text, p_request_id text, p_framework text
) returns private.build_start
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record := private.caller();
  v_request_id text := private.check_request_id(p_request_id);
  v_project public.projects;
  v_key public.idempotency_keys;
  v_fingerprint text;
begin
  perform private.check_prompt(p_prompt), private.check_idempotency_key(p_idempotency_key);
  if p_framework is not null then
    perform private.check_framework(p_framework);
  end if;

  -- 1. The project, if the caller may build it.
  select * into v_project from public.projects p where p.id = p_project_id;
  if v_project.id is null or (not v_caller.is_service and v_project.user_id <> v_caller.uid) then
    raise exception 'project not found'
      using errcode = 'PT404', detail = format('p_project_id = %s', p_project_id),
            hint = 'Check the id; only the owner and service_role can start its builds.';
  end if;

  -- 2. Replay by key.
  if p_idempotency_key is not null then
    v_fingerprint := private.fingerprint('start_build', p_project_id::text, p_prompt, p_framework);
    v_key := private.replay_by_key(v_project.user_id, p_idempotency_key, v_fingerprint);
    if v_key.user_id is not null then
      return (v_key.build_id, v_key.build_metrics_id, v_key.superseded_build_id, false)::private.build_start;
    end if;
  end if;

  -- 3. The new build, on the locked project (re-read: a concurrent build may have changed it).
  perform private.lock_project(p_project_id);
  select * into v_project from public.projects p where p.id = p_project_id;
  return private.insert_build(v_project, coalesce(p_framework, v_project.framework), p_prompt, v_caller.role,
                              v_request_id, p_idempotency_key, v_fingerprint);
end
$$;

create function public.start_build(
  p_project_id uuid,
  p_prompt text default null,
  p_idempotency_key text default null,
  p_request_id text default null,
  p_framework text default null
) returns table (build_id text, build_metrics_id bigint, superseded_build_id text, created boolean)
language plpgsql volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
    select b.build_id, b.build_metrics_id, b.superseded_build_id, b.created
      from private.start_build(p_project_id, p_prompt, p_idempotency_key, p_request_id, p_framework) b;
end
$$;
comment on function public.start_build(uuid, text, text, text, text) is
$$Starts a new build of a project, atomically: build_status 'building', last_build_started, cleared
last_build_completed, the metrics row, current_build_id, its AI-time session and audit events.

A build still in flight is marked 'superseded' (returned in superseded_build_id) and its AI-time
session is closed; it may still report through complete_build, which then records its outcome
without moving the project.
p_framework (public.frameworks; default: the project's) is recorded on the build and becomes the
project's framework: a project's framework is that of its latest build.
p_idempotency_key follows the rules of create_complete_project (unique per owner).
Errors: PT404 project not found (or not yours), 22023 bad input, PT422 key reused with other
parameters, 55P03 lock wait over projects.lock_timeout. Callers: the owner, service_role.$$;
revoke execute on function public.start_build(uuid, text, text, text, text) from public, anon;
grant execute on function public.start_build(uuid, text, text, text, text) to authenticated, service_role;

-- Shared by complete_build and create_version_on_success: the build row,
-- locked after its project (the lock order of every build function).
create function private.lock_build(p_build_id text) returns public.project_build_metrics
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_build public.project_build_metrics;
begin
  perform private.check_ulid(p_build_id, 'p_build_id');
  select * into v_build from public.project_build_metrics m where m.build_id = p_build_id;
  if v_build.id is null then
    raise exception 'build not found'
      using errcode = 'PT404', detail = format('p_build_id = %s', p_build_id);
  end if;
  perform private.lock_project(v_build.project_id);
  select * into v_build from public.project_build_metrics m where m.build_id = p_build_id for update;
  return v_build;
end
$$;

create function public.complete_build(
  p_build_id text,
  p_status text,
  p_error_message text default null,
  p_request_id text default null
) returns table (project_id uuid, build_status text, version_id text)
language plpgsql volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  v_caller record := private.caller();
  v_request_id text := private.check_request_id(p_request_id);
  v_outcome text;
  v_build public.project_build_metrics;
begin
  select m.outcome into v_outcome from public.worker_status_map m where m.worker_status = lower(btrim(p_status));
  if v_outcome is null then
    perform public.map_worker_status(p_status);  -- 22023 for an unknown status
    raise exception 'p_status % is not a final status', quote_literal(p_status)
      using errcode = '22023', hint = 'complete_build takes completed, failed or canceled (or their synonyms).';
  end if;
  if char_length(p_error_message) > 10000 then
    raise exception 'p_error_message must be at most 10000 characters' using errcode = '22023';
  end if;
  v_build := private.lock_build(p_build_id);

  if v_build.outcome is not null then
    if v_build.outcome <> v_outcome then
      raise exception 'build already finished as %', v_build.outcome
        using errcode = 'PT409', detail = format('build %s, reported now as %s', p_build_id, v_outcome),
              hint = 'A build''s final status cannot change; repeating the same status is safe.';
    end if;
    return query
      select v_build.project_id,
             case when v_build.status = 'superseded' then 'superseded' else public.map_worker_status(v_outcome) end,
             (select v.version_id::text from public.project_versions v where v.build_id = v_build.build_id);
    return;
  end if;
  return query select * from private.finish_build(v_build, v_outcome, p_error_message, null, v_caller.role, v_request_id);
end
$$;
comment on function public.complete_build(text, text, text, text) is
$$Records a build's final status from the worker: completed, failed or canceled (and synonyms).

Success creates the build's version lazily, sets current_version_id and build_status 'deployed';
failure or cancel creates none (and discards an eager initial version). Always sets
last_build_completed, the metrics' completed_at and duration_ms, and closes the AI-time session.
A superseded build is recorded but moves nothing (build_status 'superseded' in the result).
Idempotent: the same status again returns the same result.
Errors: 22023 bad input or unknown/non-final status, PT404 unknown build, PT409 already finished
with another status, 55P03 lock wait over projects.lock_timeout. Callers: service_role.$$;
revoke execute on function public.complete_build(text, text, text, text) from public, anon, authenticated;
grant execute on function public.complete_build(text, text, text, text) to service_role;

create function public.create_version_on_success(
  p_build_id text,
  p_prompt text default null,
  p_request_id text default null
) returns table (version_id text, created boolean)
language plpgsql volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  v_caller record := private.caller();
  v_request_id text := private.check_request_id(p_request_id);
  v_build public.project_build_metrics;
begin
  perform private.check_prompt(p_prompt);
  v_build := private.lock_build(p_build_id);
  if v_build.status = 'completed' then
    return query select v.version_id::text, false from public.project_versions v where v.build_id = v_build.build_id;
    return;
  end if;
  if v_build.status <> 'started' then
    raise exception 'build % is %: no version is created for it', p_build_id, v_build.status
      using errcode = 'PT409', hint = 'Versions exist only for successful builds that were not superseded.';
  end if;
  return query select f.version_id, true
    from private.finish_build(v_build, 'completed', null, p_prompt, v_caller.role, v_request_id) f;
end
$$;
comment on function public.create_version_on_success(text, text, text) is
$$Creates the version of a successful build and makes it the project's current version.

Completes the build as 'completed' (as complete_build would). Idempotent per build: a second call
returns the same version with created = false.
Errors: 22023 malformed id, PT404 unknown build, PT409 the build failed, was canceled or was
superseded (nothing is written). Callers: service_role.$$;
revoke execute on function public.create_version_on_success(text, text, text) from public, anon, authenticated;
grant execute on function public.create_version_on_success(text, text, text) to service_role;

create function public.get_build_status(p_build_id text)
returns table (build_id text, project_id uuid, status text, project_build_status text, is_current boolean,
               version_id text, error_message text, started_at timestamptz, completed_at timestamptz,
               duration_ms bigint)
language plpgsql stable
security invoker
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
begin
  if p_build_id is null or char_length(p_build_id) <> 26 or p_build_id !~ '^[0-7][0-9A-HJKMNP-TV-Z]*$' then
    raise exception 'p_build_id must be a ULID (26 characters of Crockford base32)'
      using errcode = '22023', detail = format('p_build_id = %L', left(p_build_id, 40));
  end if;
  return query
    select m.build_id::text, m.project_id, m.status, p.build_status, p.current_build_id = m.build_id,
           v.version_id::text, m.error_message, m.started_at, m.completed_at, m.duration_ms
      from public.project_build_metrics m
      join public.projects p on p.id = m.project_id
      left join public.project_versions v on v.build_id = m.build_id and v.status = 'deployed'
     where m.build_id = p_build_id;
  if not found then
    raise exception 'build not found'
      using errcode = 'PT404', detail = format('p_build_id = %s', p_build_id),
            hint = 'It may not exist yet, or belong to another user.';
  end if;
end
$$;
comment on function public.get_build_status(text) is
$$Returns a build's status for polling: the build's and the project's status, whether it is the
current build, its version (once deployed), error, timestamps and duration.

Reads through row-level security: a user sees only their own builds.
Errors: 22023 malformed id, PT404 unknown build or another user's (HTTP 404 through PostgREST).
Callers: authenticated (own builds), service_role.$$;
revoke execute on function public.get_build_status(text) from public, anon;
grant execute on function public.get_build_status(text) to authenticated, service_role;

-- migrate:down
drop function public.get_build_status(text);
drop function public.create_version_on_success(text, text, text);
drop function public.complete_build(text, text, text, text);
drop function private.lock_build(text);
drop function public.start_build(uuid, text, text, text, text);
drop function private.start_build(uuid, text, text, text, text);
drop function private.insert_build(public.projects, text, text, text, text, text, text);
drop type private.build_start;
