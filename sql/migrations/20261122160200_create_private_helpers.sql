-- migrate:up
-- Shared building blocks of the public functions, kept out of the API schema:
-- who is calling (Supabase semantics), input validation with one error per
-- field, the per-owner advisory lock with a bounded wait, and settings.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create schema private;
revoke all on schema private from public;
comment on schema private is 'Internals of the public functions; not exposed through the API.';

-- The caller, from the database role in force (SET ROLE, as PostgREST and the
-- SDK do) and the JWT claims. Privilege comes from the role, never from a
-- claim, so a forged claim cannot make an end user a service. The subject is
-- read only from request.jwt.claims, the one setting PostgREST and the SDK
-- set in the caller's own transaction: not through auth.uid(), which prefers
-- the legacy request.jwt.claim.sub, a setting a session may have left on a
-- connection that a transaction-mode pooler then hands to another caller.
create function private.caller(out role text, out uid uuid, out is_service boolean)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  role := current_setting('role');
  if role = 'none' then
    role := session_user;
  end if;
  uid := (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')::uuid;
  if role in ('anon', 'authenticated') then
    is_service := false;
    if role = 'anon' or uid is null then
      raise exception 'sign in first: this function needs an authenticated user'
        using errcode = '42501', hint = 'Call it with a user''s JWT (role authenticated) or as service_role.';
    end if;
  else
    -- service_role, the database owner, or another role granted EXECUTE.
    is_service := true;
  end if;
end
$$;

-- The user a call acts for: p_user_id, or the caller itself when null.
create function private.resolve_user(p_user_id uuid, out user_id uuid, out actor_role text, out is_service boolean)
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record := private.caller();
begin
  actor_role := v_caller.role;
  is_service := v_caller.is_service;
  user_id := coalesce(p_user_id, v_caller.uid);
  if not is_service and user_id <> v_caller.uid then
    raise exception 'an authenticated user may act only for itself'
      using errcode = '42501', detail = 'p_user_id differs from the JWT subject',
            hint = 'Omit p_user_id, or call as service_role.';
  end if;
  if user_id is null then
    raise exception 'p_user_id is required when calling as %', actor_role
      using errcode = '22023', hint = 'Pass the owner''s auth.users id in p_user_id.';
  end if;
  -- A user missing from auth.users is refused by the foreign key of the first
  -- row written for it (23503, and nothing is written): no lookup here.
end
$$;

create function private.check_name(p_name text) returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_name text := btrim(p_name);
begin
  if v_name is null or char_length(v_name) not between 1 and 120 then
    raise exception 'p_name must be 1 to 120 characters after trimming'
      using errcode = '22023', detail = format('length after trimming: %s', coalesce(char_length(v_name), 0));
  end if;
  if v_name ~ '[[:cntrl:]\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]' then
    raise exception 'p_name must not contain control, zero-width or bidi-override characters'
      using errcode = '22023';
  end if;
  return v_name;
end
$$;

create function private.check_framework(p_framework text) returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_framework is null or not exists (select from public.frameworks f where f.name = p_framework) then
    raise exception 'p_framework must be one of: %',
      (select string_agg(f.name, ', ' order by f.name) from public.frameworks f)
      using errcode = '22023',
            detail = format('p_framework = %L', left(p_framework, 40)),
            hint = 'public.frameworks lists them; insert a row there to allow another.';
  end if;
  return p_framework;
end
$$;

create function private.check_prompt(p_prompt text) returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_prompt is not null and (char_length(p_prompt) > 100000 or btrim(p_prompt, e' \t\r\n') = '') then
    raise exception 'p_prompt must be null or 1 to 100000 characters, not only whitespace'
      using errcode = '22023', detail = format('length: %s', char_length(p_prompt));
  end if;
  return p_prompt;
end
$$;

create function private.check_idempotency_key(p_key text) returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  -- The length is checked apart from the pattern: PostgreSQL's regex engine
  -- unrolls a bounded repetition into one state per step, and {0,253} costs
  -- about 30 µs per call where an unbounded * costs under 1 µs.
  if p_key is not null and (char_length(p_key) > 255 or p_key !~ '^[!-~]([ -~]*[!-~])?$') then
    raise exception 'p_idempotency_key must be 1 to 255 printable ASCII characters without surrounding spaces'
      using errcode = '22023', detail = format('length: %s', char_length(p_key));
  end if;
  return p_key;
end
$$;

create function private.check_ulid(p_value text, p_field text) returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  if p_value is null or char_length(p_value) <> 26 or p_value !~ '^[0-7][0-9A-HJKMNP-TV-Z]*$' then
    raise exception '% must be a ULID (26 characters of Crockford base32)', p_field
      using errcode = '22023', detail = format('%s = %L', p_field, left(p_value, 40));
  end if;
  return p_value;
end
$$;

create function private.check_request_id(p_request_id text) returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$
declare
  v_id text := coalesce(p_request_id,
    nullif(current_setting('request.headers', true), '')::json ->> 'x-request-id');
begin
  if v_id is not null and (char_length(v_id) > 200 or v_id !~ '^[!-~]+$') then
    raise exception 'p_request_id must be 1 to 200 printable ASCII characters'
      using errcode = '22023';
  end if;
  return v_id;
end
$$;

-- Settings a DBA may change per database or role, e.g.
--   alter database postgres set projects.duplicate_window = '30 seconds';
-- The small helpers are PL/pgSQL, not SQL: a SQL function pinned with
-- `set search_path` is never inlined, and is parsed and planned again in every
-- transaction that calls it; PL/pgSQL keeps its plan for the session.
create function private.duplicate_window() returns interval
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$ begin return coalesce(nullif(current_setting('projects.duplicate_window', true), '')::interval, interval '10 seconds'); end $$;

create function private.lock_timeout() returns text
language plpgsql stable
set search_path = pg_catalog, pg_temp
as $$ begin return coalesce(nullif(current_setting('projects.lock_timeout', true), ''), '5s'); end $$;

-- The contended path of lock_owner: waits at most projects.lock_timeout, then 55P03.
create function private.wait_for_owner_lock(p_owner uuid) returns void
language plpgsql volatile
set lock_timeout = '5s'
set search_path = pg_catalog, pg_temp
as $$
begin
  perform set_config('lock_timeout', private.lock_timeout(), true);  -- restored on return
  perform pg_advisory_xact_lock(hashtextextended('projects.owner:' || p_owner::text, 0));
exception when lock_not_available then
  raise exception 'another request for the same user held its lock longer than %', private.lock_timeout()
    using errcode = '55P03', detail = format('owner %s', p_owner),
          hint = 'Retry with the same idempotency key.';
end
$$;

-- Serializes the calls that create or key-match for one owner. 64-bit key
-- from hashtextextended, transaction-scoped (safe behind transaction-mode
-- poolers). An uncontended lock is taken with pg_try_advisory_xact_lock,
-- without touching lock_timeout or entering an exception block (a
-- subtransaction); only a contended lock waits, bounded.
create function private.lock_owner(p_owner uuid) returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  if pg_try_advisory_xact_lock(hashtextextended('projects.owner:' || p_owner::text, 0)) then
    return;  -- uncontended: the common case
  end if;
  perform private.wait_for_owner_lock(p_owner);
end
$$;

-- Row locks taken by the build functions wait at most projects.lock_timeout.
create function private.lock_project(p_project_id uuid) returns void
language plpgsql volatile
set lock_timeout = '5s'
set search_path = pg_catalog, pg_temp
as $$
begin
  perform set_config('lock_timeout', private.lock_timeout(), true);  -- restored on return
  perform from public.projects p where p.id = p_project_id for update;
exception when lock_not_available then
  raise exception 'the project was locked by another request for longer than %', private.lock_timeout()
    using errcode = '55P03', hint = 'Retry; the call is idempotent with a key.';
end
$$;

create function private.fingerprint(variadic p_parts text[]) returns text
language plpgsql immutable
set search_path = pg_catalog, pg_temp
as $$ begin return encode(sha256(convert_to(array_to_json(p_parts)::text, 'UTF8')), 'hex'); end $$;

create function private.raise_key_reused(p_key text) returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  raise exception 'idempotency key was already used with different parameters'
    using errcode = 'PT422', detail = format('p_idempotency_key = %L', left(p_key, 60)),
          hint = 'Use a new key for a new request; replay only the exact same request with a key.';
end
$$;

-- Replays write nothing: they are counted for monitoring by an unlogged
-- sequence, whose nextval writes no WAL and assigns no transaction id (a crash
-- resets the count), so a replay commits as a read-only transaction would.
create unlogged sequence private.idempotent_replays;
comment on sequence private.idempotent_replays is
  'Idempotent replays (and duplicates absorbed by the window) counted since the database last recovered from a crash.';

create function private.count_replay() returns void
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
begin
  perform nextval('private.idempotent_replays');
end
$$;

-- Replay by key, shared by every keyed function: the stored result of the first
-- call with this key (PT422 if its parameters differ), or null when the key is
-- new. A replay writes nothing. A key row is only ever inserted with its result, so a hit needs no lock;
-- on a miss the owner lock is taken and the key looked up again, and the caller
-- goes on holding it.
create function private.replay_by_key(p_owner uuid, p_key text, p_fingerprint text)
returns public.idempotency_keys
language plpgsql volatile
set search_path = pg_catalog, pg_temp
as $$
declare
  v_key public.idempotency_keys;
begin
  select * into v_key from public.idempotency_keys k where k.user_id = p_owner and k.idempotency_key = p_key;
  if v_key.user_id is null then
    perform private.lock_owner(p_owner);
    select * into v_key from public.idempotency_keys k where k.user_id = p_owner and k.idempotency_key = p_key;
    if v_key.user_id is null then
      return null;
    end if;
  end if;
  if v_key.fingerprint <> p_fingerprint then
    perform private.raise_key_reused(p_key);
  end if;
  perform private.count_replay();
  return v_key;
end
$$;

-- migrate:down
drop schema private cascade;
