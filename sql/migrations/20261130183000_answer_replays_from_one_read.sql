-- migrate:up
-- A replay answers from one read. A stored key whose fingerprint matches the
-- call's parameters proves that those parameters passed every check when the
-- key was first used, so a replay runs only what the fingerprint does not
-- cover (who calls, the request id, an end user's p_source) and one lookup of
-- the key and its project, before the checks, the framework lookup and the
-- owner lock that a new project needs. Anything else (a new key, other
-- parameters, an invalid input) goes on to the full path unchanged, which
-- answers exactly as before: the same result, the same error, in the same order.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- p_source: a lowercase service name, at most 50 characters.
create function private.check_source(p_source text) returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_source is not null and (char_length(p_source) > 50 or p_source !~ '^[a-z][a-z0-9_-]*$') then
    raise exception 'p_source must be a lowercase service name such as worker-service'
      using errcode = '22023', detail = format('p_source = %L', left(p_source, 60));
  end if;
  return p_source;
end
$$;
revoke execute on function private.check_source(text) from public;

-- Creation in named steps: replay by key (first from one read, then under the
-- owner lock), find the existing project (legacy id or duplicate window),
-- insert the project graph.
create or replace function private.create_project(
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
  -- Who calls, and for whom: the first check of every path (42501, 22023).
  v_actor record := private.resolve_user(p_user_id);
  v_operation text := case when p_with_version then 'create_complete_project' else 'create_project_for_build' end;
  v_name text;
  v_request_id text;
  v_prompt text;
  v_idempotency_key text;
  v_framework text;
  v_source text;
  v_fingerprint text;
  v_key public.idempotency_keys;
  v_replay private.creation_result;
  v_project public.projects;
  v_now timestamptz;
  v_project_id uuid;
  v_build_id text;
  v_version_id text;
  v_metrics_id bigint;
begin
  -- 1a. Replay from one read. The fingerprint is taken over the trimmed name,
  -- as the full path takes it over check_name's result (equal whenever that
  -- check passes, so step 1b reuses it); p_source counts only for a service,
  -- as below. Inputs longer than any valid one go straight to the full path,
  -- which refuses them before hashing anything.
  if p_idempotency_key is not null and char_length(p_idempotency_key) <= 255 and char_length(p_name) <= 1000
     and coalesce(char_length(p_prompt), 0) <= 100000 then
    v_fingerprint := private.fingerprint(v_operation, btrim(p_name), p_framework, p_prompt, p_project_id::text,
                                         case when v_actor.is_service then p_source end);
    select k.project_id, k.version_id, k.build_id, k.build_metrics_id, false, p.build_status
      into v_replay
      from public.idempotency_keys k
      join public.projects p on p.id = k.project_id
     where k.user_id = v_actor.user_id
       and k.idempotency_key = p_idempotency_key
       and k.fingerprint = v_fingerprint;
    if found then
      -- The checks the fingerprint does not cover, in the full path's order.
      v_request_id := private.check_request_id(p_request_id);
      v_source := private.check_source(p_source);
      perform private.count_replay();
      return v_replay;
    end if;
  end if;

  v_name := private.check_name(p_name);
  v_request_id := private.check_request_id(p_request_id);
  -- Checks are assigned, not PERFORMed: an assignment is evaluated as an
  -- expression, a PERFORM runs a query through SPI (executor and snapshot).
  v_prompt := private.check_prompt(p_prompt);
  v_idempotency_key := private.check_idempotency_key(p_idempotency_key);
  v_source := private.check_source(p_source);
  -- p_source is honoured for services only: an end user cannot claim to be the worker,
  -- so theirs is recorded as their role, whatever they pass.
  v_source := case when v_actor.is_service then coalesce(p_source, v_actor.actor_role) else v_actor.actor_role end;

  -- 1b. Replay by key under the owner lock (the key's parameters differ: PT422).
  -- Its framework was checked when the key was first used (the fingerprint
  -- holds it), so the framework is looked up only for a new project, before step 3.
  if v_idempotency_key is not null then
    v_fingerprint := coalesce(v_fingerprint, private.fingerprint(v_operation, v_name, p_framework, v_prompt,
                                                                 p_project_id::text, case when v_actor.is_service then p_source end));
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

-- migrate:down
-- Back to the definition of 20261122160300_create_project_creation_functions.sql.
create or replace function private.create_project(
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

drop function private.check_source(text);
