-- migrate:up
-- Project creation as one atomic, idempotent, race-free
-- call: the project, its first build, its AI-time session, its audit events
-- and (eagerly, or lazily on success) its first version, all ids generated here.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- What every creation path answers: a new project, or an existing one
-- (created = false) with its current build and version (null while it has none).
create type private.creation_result as (
  project_id uuid,
  version_id text,
  build_id text,
  build_metrics_id bigint,
  created boolean,
  project_build_status text
);

-- An existing project as a creation result.
create function private.existing_project_result(p_project public.projects) returns private.creation_result
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (p_project.id, p_project.current_version_id::text, p_project.current_build_id::text,
          (select m.id from public.project_build_metrics m where m.build_id = p_project.current_build_id),
          false, p_project.build_status)::private.creation_result;
end
$$;

-- Step 2 of creation without a key: the project this call repeats, if any.
-- A legacy project id is checked like an idempotency key: the same owner and the
-- same name, framework and prompt replay it; other parameters are PT422; another
-- owner's id is PT409 and reveals nothing. Without an id, the keyless duplicate
-- window matches the intent (owner, name, framework, prompt: not who calls, nor
-- from where) and never returns a project whose build failed or was canceled,
-- so a retry after a failure gets a new build. The caller holds the owner lock.
create function private.find_existing_project(
  p_owner uuid, p_project_id uuid, p_name text, p_framework text, p_prompt text
) returns public.projects
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_project public.projects;
  v_initial public.project_build_metrics;
begin
  if p_project_id is null then
    select p.* into v_project
      from public.projects p
      join public.project_build_metrics m on m.project_id = p.id and m.is_initial_build
     where p.user_id = p_owner and p.name = p_name and p.framework = p_framework
       and m.prompt is not distinct from p_prompt
       and p.build_status not in ('failed', 'canceled')
       and p.created_at > clock_timestamp() - private.duplicate_window()
     order by p.created_at desc limit 1;
    return v_project;
  end if;

  select * into v_project from public.projects p where p.id = p_project_id;
  if v_project.id is null then
    return null;
  end if;
  if v_project.user_id <> p_owner then
    raise exception 'p_project_id is not available'
      using errcode = 'PT409', hint = 'Omit p_project_id: the server generates project ids.';
  end if;
  select * into v_initial from public.project_build_metrics m where m.project_id = v_project.id and m.is_initial_build;
  if v_project.name <> p_name or v_initial.framework <> p_framework or v_initial.prompt is distinct from p_prompt then
    raise exception 'p_project_id was already used with different parameters'
      using errcode = 'PT422', detail = format('p_project_id = %s', p_project_id),
            hint = 'Repeat the exact same name, framework and prompt, or omit p_project_id for a new project.';
  end if;
  return v_project;
end
$$;

-- Creation in three named steps: replay by key, find the existing project
-- (legacy id or duplicate window), insert the project graph.
create function private.create_project(
  p_with_version boolean,
  p_user_id uuid,
  p_framework text,
  p_prompt text,
  p_name text,
  p_idempotency_key text,
  p_project_id uuid,
  p_source text,
  p_request_id text
) returns private.creation_result
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_actor record := private.resolve_user(p_user_id);
  v_operation text := case when p_with_version then 'create_complete_project' else 'create_project_for_build' end;
  v_name text := private.check_name(p_name);
  v_request_id text := private.check_request_id(p_request_id);
  -- Checks are assigned, not PERFORMed: an assignment is evaluated as an
  -- expression, a PERFORM runs a query through SPI (executor and snapshot).
  v_prompt text := private.check_prompt(p_prompt);
  v_idempotency_key text := private.check_idempotency_key(p_idempotency_key);
  v_framework text;
  v_source text;
  v_fingerprint text;
  v_key public.idempotency_keys;
  v_project public.projects;
  v_now timestamptz;
  v_project_id uuid;
  v_build_id text;
  v_version_id text;
  v_metrics_id bigint;
begin
  if p_source is not null and (char_length(p_source) > 50 or p_source !~ '^[a-z][a-z0-9_-]*$') then
    raise exception 'p_source must be a lowercase service name such as worker-service'
      using errcode = '22023', detail = format('p_source = %L', left(p_source, 60));
  end if;
  -- p_source is honoured for services only: an end user cannot claim to be the worker,
  -- so theirs is recorded as their role, whatever they pass.
  v_source := case when v_actor.is_service then coalesce(p_source, v_actor.actor_role) else v_actor.actor_role end;

  -- 1. Replay by key: the stored result of the first call with this key. Its
  -- framework was checked when the key was first used (the fingerprint holds
  -- it), so the framework is looked up only for a new project, before step 3.
  if v_idempotency_key is not null then
    v_fingerprint := private.fingerprint(v_operation, v_name, p_framework, v_prompt, p_project_id::text,
                                         case when v_actor.is_service then p_source end);
    v_key := private.replay_by_key(v_actor.user_id, v_idempotency_key, v_fingerprint);
    if v_key.user_id is not null then
      return (v_key.project_id, v_key.version_id, v_key.build_id, v_key.build_metrics_id, false,
              (select p.build_status from public.projects p where p.id = v_key.project_id))::private.creation_result;
    end if;
  else
    -- 2. Find the existing project this call repeats (legacy id or duplicate window).
    perform private.lock_owner(v_actor.user_id);
    v_project := private.find_existing_project(v_actor.user_id, p_project_id, v_name, p_framework, v_prompt);
    if v_project.id is not null then
      perform private.count_replay();
      return private.existing_project_result(v_project);
    end if;
  end if;

  -- 3. Insert the project graph, in one statement: the circular references
  -- (project -> current build -> project) are checked at its end, when every row exists.
  v_framework := private.check_framework(p_framework);
  v_now := clock_timestamp();
  v_project_id := coalesce(p_project_id, gen_random_uuid());
  v_build_id := public.generate_ulid();
  v_version_id := case when p_with_version then public.generate_ulid() end;
  with p as (
    insert into public.projects (id, user_id, name, framework, build_status, current_build_id,
                                 current_version_id, last_build_started, created_by_service, created_at, updated_at)
    values (v_project_id, v_actor.user_id, v_name, v_framework, 'building', v_build_id,
            v_version_id, v_now, v_source, v_now, v_now)
    on conflict (id) do nothing
    returning id
  ), b as (
    insert into public.project_build_metrics (build_id, project_id, user_id, is_initial_build, status,
                                              framework, prompt, started_at)
    select v_build_id, p.id, v_actor.user_id, true, 'started', v_framework, v_prompt, v_now from p
    returning id
  ), v as (
    insert into public.project_versions (version_id, project_id, user_id, build_id, status, framework, prompt, created_at)
    select v_version_id, p.id, v_actor.user_id, v_build_id, 'building', v_framework, v_prompt, v_now
      from p where v_version_id is not null
  ), s as (
    insert into public.ai_time_sessions (build_id, project_id, user_id, started_at)
    select v_build_id, p.id, v_actor.user_id, v_now from p
  ), e as (
    insert into public.project_events (event_type, user_id, project_id, build_id, version_id,
                                       actor_role, source, request_id, created_at)
    select t.event_type, v_actor.user_id, p.id, v_build_id, t.version_id, v_actor.actor_role, v_source, v_request_id, v_now
      from p cross join (values ('project_created', null), ('build_started', null),
                                ('version_created', v_version_id)) as t (event_type, version_id)
     where t.event_type <> 'version_created' or v_version_id is not null
  ), k as (
    insert into public.idempotency_keys (user_id, idempotency_key, operation, fingerprint, project_id,
                                         build_id, version_id, build_metrics_id, created_at)
    select v_actor.user_id, v_idempotency_key, v_operation, v_fingerprint, p.id, v_build_id, v_version_id, b.id, v_now
      from p cross join b where v_idempotency_key is not null
  )
  select b.id into v_metrics_id from b;
  if v_metrics_id is not null then
    return (v_project_id, v_version_id, v_build_id, v_metrics_id, true, 'building')::private.creation_result;
  end if;
  -- p_project_id was taken by a concurrent call between step 2 and step 3.
  v_project := private.find_existing_project(v_actor.user_id, p_project_id, v_name, v_framework, v_prompt);
  perform private.count_replay();
  return private.existing_project_result(v_project);
end
$$;

create function public.create_complete_project(
  p_user_id uuid default null,
  p_framework text default 'react',
  p_prompt text default null,
  p_name text default 'Untitled Project',
  p_idempotency_key text default null,
  p_project_id uuid default null,
  p_source text default null,
  p_request_id text default null
) returns table (project_id uuid, version_id text, build_id text, build_metrics_id bigint, created boolean,
                 project_build_status text)
language plpgsql volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  -- PL/pgSQL, not SQL: its plan is cached (a SQL function is planned again on every call).
  return query
    select c.project_id, c.version_id, c.build_id, c.build_metrics_id, c.created, c.project_build_status
      from private.create_project(true, p_user_id, p_framework, p_prompt, p_name,
                                  p_idempotency_key, p_project_id, p_source, p_request_id) c;
end
$$;

comment on function public.create_complete_project(uuid, text, text, text, text, uuid, text, text) is
$$Creates a project with its first build, AI-time session, audit events and an eager initial version, atomically.

Parameters: p_user_id (null = the JWT subject), p_framework (public.frameworks), p_prompt (<= 100000 chars),
p_name (1-120 chars after trimming), p_idempotency_key (unique per owner), p_project_id (a
caller-chosen id, checked like a key), p_source (recorded as created_by_service for service_role;
an end user's is ignored), p_request_id (audit; defaults to the x-request-id header).
Returns created = false, with the project's current build, version (null while it has none) and
build status (project_build_status), for an idempotent replay, an existing p_project_id of the
same owner with the same name, framework and prompt, or, without a key, a project of the same
owner, name, framework and prompt created within projects.duplicate_window whose build has not
failed or been canceled (who calls, and from where, does not matter).
The initial version stays 'building' until the build completes and is discarded if it fails.
Errors: 22023 bad input, 42501 not allowed, 23503 unknown user, PT422 key or p_project_id reused
with other parameters, PT409 p_project_id taken by another user, 55P03 lock wait over
projects.lock_timeout (retry).
Callers: authenticated (for itself), service_role (for any user).$$;

revoke execute on function public.create_complete_project(uuid, text, text, text, text, uuid, text, text) from public, anon;
grant execute on function public.create_complete_project(uuid, text, text, text, text, uuid, text, text) to authenticated, service_role;

create function public.create_project_for_build(
  p_user_id uuid default null,
  p_framework text default 'react',
  p_prompt text default null,
  p_name text default 'Untitled Project',
  p_idempotency_key text default null,
  p_project_id uuid default null,
  p_source text default null,
  p_request_id text default null
) returns table (project_id uuid, build_id text, build_metrics_id bigint, created boolean, project_build_status text)
language plpgsql volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return query
    select c.project_id, c.build_id, c.build_metrics_id, c.created, c.project_build_status
      from private.create_project(false, p_user_id, p_framework, p_prompt, p_name,
                                  p_idempotency_key, p_project_id, p_source, p_request_id) c;
end
$$;

comment on function public.create_project_for_build(uuid, text, text, text, text, uuid, text, text) is
$$Creates a project with its first build, AI-time session and audit events, but no version (lazy versions).

The version is created by complete_build or create_version_on_success when the build succeeds,
so a failed build leaves no ghost version. Parameters, replays and errors as create_complete_project.
Callers: authenticated (for itself), service_role (for any user).$$;

revoke execute on function public.create_project_for_build(uuid, text, text, text, text, uuid, text, text) from public, anon;
grant execute on function public.create_project_for_build(uuid, text, text, text, text, uuid, text, text) to authenticated, service_role;

-- migrate:down
drop function public.create_project_for_build(uuid, text, text, text, text, uuid, text, text);
drop function public.create_complete_project(uuid, text, text, text, text, uuid, text, text);
drop function private.create_project(boolean, uuid, text, text, text, text, uuid, text, text);
drop function private.find_existing_project(uuid, uuid, text, text, text);
drop function private.existing_project_result(public.projects);
drop type private.creation_result;
