-- migrate:up
-- The creation hot path, measured by npm run bench: an uncontended owner lock
-- is now taken with pg_try_advisory_xact_lock, without touching lock_timeout
-- or entering an exception block (a subtransaction); only a contended lock
-- waits, bounded as before. The private helpers no longer pin search_path
-- themselves: only the security-definer functions call them (the private
-- schema is not usable by API roles), and those run with search_path = '',
-- which the helpers inherit; a SET clause on each call cost a GUC save and
-- restore and kept the SQL helpers from being inlined.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create function private.wait_for_owner_lock(p_owner uuid) returns void
language plpgsql volatile
set lock_timeout = '5s'
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

-- Serializes the calls that create or key-match for one owner (64-bit key,
-- transaction-scoped, safe behind transaction-mode poolers).
create or replace function private.lock_owner(p_owner uuid) returns void
language plpgsql volatile
as $$
begin
  if pg_try_advisory_xact_lock(hashtextextended('projects.owner:' || p_owner::text, 0)) then
    return;  -- uncontended: the common case
  end if;
  perform private.wait_for_owner_lock(p_owner);
end
$$;
alter function private.lock_owner(uuid) reset search_path;

alter function private.caller() reset search_path;
alter function private.resolve_user(uuid) reset search_path;
alter function private.check_name(text) reset search_path;
alter function private.check_framework(text) reset search_path;
alter function private.check_prompt(text) reset search_path;
alter function private.check_idempotency_key(text) reset search_path;
alter function private.check_ulid(text, text) reset search_path;
alter function private.check_request_id(text) reset search_path;
alter function private.duplicate_window() reset search_path;
alter function private.lock_timeout() reset search_path;
alter function private.lock_project(uuid) reset search_path;
alter function private.fingerprint(text[]) reset search_path;
alter function private.raise_key_reused(text) reset search_path;
alter function private.create_project(boolean, uuid, text, text, text, text, uuid, text, text) reset search_path;
alter function private.finish_build(public.project_build_metrics, text, text, text, text, text) reset search_path;
alter function private.lock_build(text) reset search_path;

-- migrate:down
alter function private.caller() set search_path = '';
alter function private.resolve_user(uuid) set search_path = '';
alter function private.check_name(text) set search_path = '';
alter function private.check_framework(text) set search_path = '';
alter function private.check_prompt(text) set search_path = '';
alter function private.check_idempotency_key(text) set search_path = '';
alter function private.check_ulid(text, text) set search_path = '';
alter function private.check_request_id(text) set search_path = '';
alter function private.duplicate_window() set search_path = '';
alter function private.lock_timeout() set search_path = '';
alter function private.lock_project(uuid) set search_path = '';
alter function private.fingerprint(text[]) set search_path = '';
alter function private.raise_key_reused(text) set search_path = '';
alter function private.create_project(boolean, uuid, text, text, text, text, uuid, text, text) set search_path = '';
alter function private.finish_build(public.project_build_metrics, text, text, text, text, text) set search_path = '';
alter function private.lock_build(text) set search_path = '';
create or replace function private.lock_owner(p_owner uuid) returns void
language plpgsql volatile
set search_path = ''
set lock_timeout = '5s'
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
drop function private.wait_for_owner_lock(uuid);
