-- migrate:up
-- A superseded build's AI-time session now closes when it is superseded: an
-- abandoned build that never reports must not bill forever. The invariants
-- check counts an open session of a superseded build as a violation.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create or replace function public.start_build(
  p_project_id uuid,
  p_prompt text default null,
  p_idempotency_key text default null,
  p_request_id text default null
) returns table (build_id text, build_metrics_id bigint, superseded_build_id text, created boolean)
language plpgsql volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_caller record := private.caller();
  v_request_id text := private.check_request_id(p_request_id);
  v_project public.projects;
  v_key public.idempotency_keys;
  v_fingerprint text;
  v_build_id text;
  v_metrics_id bigint;
  v_superseded text;
  v_now timestamptz;
begin
  perform private.check_prompt(p_prompt), private.check_idempotency_key(p_idempotency_key);
  select * into v_project from public.projects p where p.id = p_project_id;
  if v_project.id is null or (not v_caller.is_service and v_project.owner_id <> v_caller.uid) then
    raise exception 'project not found'
      using errcode = 'PT404', detail = format('p_project_id = %s', p_project_id),
            hint = 'Check the id; only the owner and service_role can start its builds.';
  end if;

  if p_idempotency_key is not null then
    v_fingerprint := private.fingerprint('start_build', p_project_id::text, p_prompt);
    select * into v_key from public.idempotency_keys k
     where k.owner_id = v_project.owner_id and k.idempotency_key = p_idempotency_key;
    if v_key.owner_id is null then
      perform private.lock_owner(v_project.owner_id);
      select * into v_key from public.idempotency_keys k
       where k.owner_id = v_project.owner_id and k.idempotency_key = p_idempotency_key;
    end if;
    if v_key.owner_id is not null then
      if v_key.fingerprint <> v_fingerprint then
        perform private.raise_key_reused(p_idempotency_key);
      end if;
      insert into public.idempotent_replays (owner_id, operation) values (v_project.owner_id, 'start_build');
      return query select v_key.build_id::text, v_key.build_metrics_id, v_key.superseded_build_id::text, false;
      return;
    end if;
  end if;

  perform private.lock_project(p_project_id);
  v_now := clock_timestamp();
  v_build_id := public.generate_ulid();
  -- One statement (seed 003): the old build is superseded before the new one
  -- is inserted (b reads old), and the project's current build, timing and
  -- version are checked only at its end, when every row is in place.
  with old as (
    update public.project_build_metrics m
       set status = 'superseded', superseded_by = v_build_id
     where m.project_id = p_project_id and m.status = 'started'
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
    select v_build_id, p_project_id, v_project.owner_id, false, 'started', v_project.framework, p_prompt, v_now
      from (select count(*) from old) as after_old
    returning id
  ), p as (
    update public.projects p
       set build_status = 'building', current_build_id = v_build_id, last_build_started = v_now,
           last_build_completed = null, updated_at = v_now,
           current_version_id = case when p.current_version_id in (select version_id from dv) then null
                                     else p.current_version_id end
     where p.id = p_project_id
  ), s as (
    insert into public.ai_time_sessions (build_id, project_id, user_id, started_at)
    values (v_build_id, p_project_id, v_project.owner_id, v_now)
  ), e as (
    insert into public.project_events (event_type, user_id, project_id, build_id, version_id, actor_role,
                                       request_id, payload, created_at)
    select 'build_started', v_project.owner_id, p_project_id, v_build_id, null, v_caller.role, v_request_id,
           '{}'::jsonb, v_now
    union all
    select 'build_superseded', v_project.owner_id, p_project_id, old.build_id, null, v_caller.role, v_request_id,
           jsonb_build_object('superseded_by', v_build_id), v_now from old
    union all
    select 'version_discarded', v_project.owner_id, p_project_id, dv.build_id, dv.version_id, v_caller.role,
           v_request_id, '{}'::jsonb, v_now from dv
  ), k as (
    insert into public.idempotency_keys (owner_id, idempotency_key, operation, fingerprint, project_id,
                                         build_id, build_metrics_id, superseded_build_id, created_at)
    select v_project.owner_id, p_idempotency_key, 'start_build', v_fingerprint, p_project_id,
           v_build_id, b.id, (select build_id from old limit 1), v_now
      from b where p_idempotency_key is not null
  )
  select b.id, (select build_id from old limit 1) into v_metrics_id, v_superseded from b;
  return query select v_build_id, v_metrics_id, v_superseded, true;
end
$$;
comment on function public.start_build(uuid, text, text, text) is
$$Starts a new build of a project, atomically: build_status 'building', last_build_started, cleared
last_build_completed, the metrics row, current_build_id, its AI-time session and audit events.

A build still in flight is marked 'superseded' (returned in superseded_build_id) and its AI-time
session is closed; it may still report through complete_build, which then records its outcome
without moving the project.
p_idempotency_key follows the rules of create_complete_project (unique per owner).
Errors: PT404 project not found (or not yours), 22023 bad input, PT422 key reused with other
parameters, 55P03 lock wait over projects.lock_timeout. Callers: the owner, service_role.$$;

create or replace function public.check_invariants()
returns table (invariant text, project_id uuid, build_id text, detail text)
language sql stable
security definer
set search_path = ''
as $$
  select 'current build belongs to the project', p.id, p.current_build_id::text, 'current_build_id has no build of this project'
    from public.projects p
   where p.current_build_id is not null
     and not exists (select from public.project_build_metrics m where m.build_id = p.current_build_id and m.project_id = p.id)
  union all
  select 'a project with builds has a current build', p.id, null, 'current_build_id is null'
    from public.projects p
   where p.current_build_id is null and exists (select from public.project_build_metrics m where m.project_id = p.id)
  union all
  select 'no version for a failed, canceled or superseded build', v.project_id, v.build_id::text, 'build status ' || m.status
    from public.project_versions v join public.project_build_metrics m on m.build_id = v.build_id
   where m.status in ('failed', 'canceled', 'superseded')
  union all
  select 'a provisional version only while its build runs', v.project_id, v.build_id::text, 'build status ' || m.status
    from public.project_versions v join public.project_build_metrics m on m.build_id = v.build_id
   where v.status = 'building' and m.status <> 'started'
  union all
  select 'a completed build has its version', m.project_id, m.build_id::text, 'no deployed version'
    from public.project_build_metrics m
   where m.status = 'completed'
     and not exists (select from public.project_versions v where v.build_id = m.build_id and v.status = 'deployed')
  union all
  select 'build timing is logical', p.id, p.current_build_id::text, 'last_build_completed before last_build_started'
    from public.projects p
   where p.last_build_completed < p.last_build_started
      or (p.last_build_completed is not null and p.last_build_started is null)
  union all
  select 'the project status follows its current build', p.id, m.build_id::text,
         format('project %s, build %s', p.build_status, m.status)
    from public.projects p join public.project_build_metrics m on m.build_id = p.current_build_id
   where (m.status = 'started') <> (p.build_status = 'building')
      or (m.status = 'completed' and (p.build_status <> 'deployed' or p.current_version_id is distinct from
           (select v.version_id from public.project_versions v where v.build_id = m.build_id)))
      or (m.status in ('failed', 'canceled') and p.build_status <> m.status)
  union all
  select 'no AI-time session open for a finished or superseded build', a.project_id, a.build_id::text, 'ended_at is null'
    from public.ai_time_sessions a join public.project_build_metrics m on m.build_id = a.build_id
   where a.ended_at is null and (m.completed_at is not null or m.status = 'superseded')
  union all
  select 'every build has one AI-time session', m.project_id, m.build_id::text, 'no session'
    from public.project_build_metrics m
   where not exists (select from public.ai_time_sessions a where a.build_id = m.build_id)
  union all
  select 'at most one in-flight build per project', m.project_id, null, count(*) || ' builds started'
    from public.project_build_metrics m where m.status = 'started'
   group by m.project_id having count(*) > 1
$$;

-- Close the sessions of builds superseded before this migration.
update public.ai_time_sessions a
   set ended_at = greatest(now(), a.started_at), seconds = extract(epoch from greatest(now(), a.started_at) - a.started_at)
  from public.project_build_metrics m
 where m.build_id = a.build_id and m.status = 'superseded' and a.ended_at is null;

-- migrate:down
create or replace function public.start_build(
  p_project_id uuid,
  p_prompt text default null,
  p_idempotency_key text default null,
  p_request_id text default null
) returns table (build_id text, build_metrics_id bigint, superseded_build_id text, created boolean)
language plpgsql volatile
security definer
set search_path = ''
as $$
#variable_conflict use_column
declare
  v_caller record := private.caller();
  v_request_id text := private.check_request_id(p_request_id);
  v_project public.projects;
  v_key public.idempotency_keys;
  v_fingerprint text;
  v_build_id text;
  v_metrics_id bigint;
  v_superseded text;
  v_now timestamptz;
begin
  perform private.check_prompt(p_prompt), private.check_idempotency_key(p_idempotency_key);
  select * into v_project from public.projects p where p.id = p_project_id;
  if v_project.id is null or (not v_caller.is_service and v_project.owner_id <> v_caller.uid) then
    raise exception 'project not found'
      using errcode = 'PT404', detail = format('p_project_id = %s', p_project_id),
            hint = 'Check the id; only the owner and service_role can start its builds.';
  end if;

  if p_idempotency_key is not null then
    v_fingerprint := private.fingerprint('start_build', p_project_id::text, p_prompt);
    select * into v_key from public.idempotency_keys k
     where k.owner_id = v_project.owner_id and k.idempotency_key = p_idempotency_key;
    if v_key.owner_id is null then
      perform private.lock_owner(v_project.owner_id);
      select * into v_key from public.idempotency_keys k
       where k.owner_id = v_project.owner_id and k.idempotency_key = p_idempotency_key;
    end if;
    if v_key.owner_id is not null then
      if v_key.fingerprint <> v_fingerprint then
        perform private.raise_key_reused(p_idempotency_key);
      end if;
      insert into public.idempotent_replays (owner_id, operation) values (v_project.owner_id, 'start_build');
      return query select v_key.build_id::text, v_key.build_metrics_id, v_key.superseded_build_id::text, false;
      return;
    end if;
  end if;

  perform private.lock_project(p_project_id);
  v_now := clock_timestamp();
  v_build_id := public.generate_ulid();
  -- One statement (seed 003): the old build is superseded before the new one
  -- is inserted (b reads old), and the project's current build, timing and
  -- version are checked only at its end, when every row is in place.
  with old as (
    update public.project_build_metrics m
       set status = 'superseded', superseded_by = v_build_id
     where m.project_id = p_project_id and m.status = 'started'
    returning m.build_id
  ), dv as (
    delete from public.project_versions v
     using old where v.build_id = old.build_id and v.status = 'building'
    returning v.version_id, v.build_id
  ), b as (
    insert into public.project_build_metrics (build_id, project_id, user_id, is_initial_build, status,
                                              framework, prompt, started_at)
    select v_build_id, p_project_id, v_project.owner_id, false, 'started', v_project.framework, p_prompt, v_now
      from (select count(*) from old) as after_old
    returning id
  ), p as (
    update public.projects p
       set build_status = 'building', current_build_id = v_build_id, last_build_started = v_now,
           last_build_completed = null, updated_at = v_now,
           current_version_id = case when p.current_version_id in (select version_id from dv) then null
                                     else p.current_version_id end
     where p.id = p_project_id
  ), s as (
    insert into public.ai_time_sessions (build_id, project_id, user_id, started_at)
    values (v_build_id, p_project_id, v_project.owner_id, v_now)
  ), e as (
    insert into public.project_events (event_type, user_id, project_id, build_id, version_id, actor_role,
                                       request_id, payload, created_at)
    select 'build_started', v_project.owner_id, p_project_id, v_build_id, null, v_caller.role, v_request_id,
           '{}'::jsonb, v_now
    union all
    select 'build_superseded', v_project.owner_id, p_project_id, old.build_id, null, v_caller.role, v_request_id,
           jsonb_build_object('superseded_by', v_build_id), v_now from old
    union all
    select 'version_discarded', v_project.owner_id, p_project_id, dv.build_id, dv.version_id, v_caller.role,
           v_request_id, '{}'::jsonb, v_now from dv
  ), k as (
    insert into public.idempotency_keys (owner_id, idempotency_key, operation, fingerprint, project_id,
                                         build_id, build_metrics_id, superseded_build_id, created_at)
    select v_project.owner_id, p_idempotency_key, 'start_build', v_fingerprint, p_project_id,
           v_build_id, b.id, (select build_id from old limit 1), v_now
      from b where p_idempotency_key is not null
  )
  select b.id, (select build_id from old limit 1) into v_metrics_id, v_superseded from b;
  return query select v_build_id, v_metrics_id, v_superseded, true;
end
$$;
comment on function public.start_build(uuid, text, text, text) is
$$Starts a new build of a project, atomically: build_status 'building', last_build_started, cleared
last_build_completed, the metrics row, current_build_id, its AI-time session and audit events.

A build still in flight is marked 'superseded' (returned in superseded_build_id); it may still
report through complete_build, which then records it without moving the project.
p_idempotency_key follows the rules of create_complete_project (unique per owner).
Errors: PT404 project not found (or not yours), 22023 bad input, PT422 key reused with other
parameters, 55P03 lock wait over projects.lock_timeout. Callers: the owner, service_role.$$;

create or replace function public.check_invariants()
returns table (invariant text, project_id uuid, build_id text, detail text)
language sql stable
security definer
set search_path = ''
as $$
  select 'current build belongs to the project', p.id, p.current_build_id::text, 'current_build_id has no build of this project'
    from public.projects p
   where p.current_build_id is not null
     and not exists (select from public.project_build_metrics m where m.build_id = p.current_build_id and m.project_id = p.id)
  union all
  select 'a project with builds has a current build', p.id, null, 'current_build_id is null'
    from public.projects p
   where p.current_build_id is null and exists (select from public.project_build_metrics m where m.project_id = p.id)
  union all
  select 'no version for a failed, canceled or superseded build', v.project_id, v.build_id::text, 'build status ' || m.status
    from public.project_versions v join public.project_build_metrics m on m.build_id = v.build_id
   where m.status in ('failed', 'canceled', 'superseded')
  union all
  select 'a provisional version only while its build runs', v.project_id, v.build_id::text, 'build status ' || m.status
    from public.project_versions v join public.project_build_metrics m on m.build_id = v.build_id
   where v.status = 'building' and m.status <> 'started'
  union all
  select 'a completed build has its version', m.project_id, m.build_id::text, 'no deployed version'
    from public.project_build_metrics m
   where m.status = 'completed'
     and not exists (select from public.project_versions v where v.build_id = m.build_id and v.status = 'deployed')
  union all
  select 'build timing is logical', p.id, p.current_build_id::text, 'last_build_completed before last_build_started'
    from public.projects p
   where p.last_build_completed < p.last_build_started
      or (p.last_build_completed is not null and p.last_build_started is null)
  union all
  select 'the project status follows its current build', p.id, m.build_id::text,
         format('project %s, build %s', p.build_status, m.status)
    from public.projects p join public.project_build_metrics m on m.build_id = p.current_build_id
   where (m.status = 'started') <> (p.build_status = 'building')
      or (m.status = 'completed' and (p.build_status <> 'deployed' or p.current_version_id is distinct from
           (select v.version_id from public.project_versions v where v.build_id = m.build_id)))
      or (m.status in ('failed', 'canceled') and p.build_status <> m.status)
  union all
  select 'no AI-time session open for a finished build', a.project_id, a.build_id::text, 'ended_at is null'
    from public.ai_time_sessions a join public.project_build_metrics m on m.build_id = a.build_id
   where a.ended_at is null and m.completed_at is not null
  union all
  select 'every build has one AI-time session', m.project_id, m.build_id::text, 'no session'
    from public.project_build_metrics m
   where not exists (select from public.ai_time_sessions a where a.build_id = m.build_id)
  union all
  select 'at most one in-flight build per project', m.project_id, null, count(*) || ' builds started'
    from public.project_build_metrics m where m.status = 'started'
   group by m.project_id having count(*) > 1
$$;
