-- migrate:up
-- Clients keyed by their owner and chat id: get-or-create in one statement,
-- so simultaneous requests for one id give one row and no 23505, and an
-- existing client is never overwritten. Chat ids are unique per user, not
-- globally: no user can take another's id first, nor learn that it exists.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

create table public.clients (
  user_id uuid not null references auth.users (id) on delete cascade,
  id text not null
    constraint clients_id_format check (char_length(id) <= 128 and id ~ '^[A-Za-z0-9_-]+$'),
  name text not null
    constraint clients_name_valid check (
      name = btrim(name) and char_length(name) between 1 and 200 and name !~ '[[:cntrl:]]'),
  email text constraint clients_email_format check (char_length(email) <= 320 and email ~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$'),
  phone text constraint clients_phone_format check (phone ~ '^[+0-9 ().-]{3,40}$'),
  company text constraint clients_company_valid check (
    char_length(company) between 1 and 200 and company !~ '[[:cntrl:]]'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- Also the index of the owner's foreign key and of "owners read their clients".
  constraint clients_pkey primary key (user_id, id)
);
comment on table public.clients is 'A user''s clients, keyed by (owner, chat id); written only by get_or_create_client.';

alter table public.clients enable row level security;
create policy "owners read their clients" on public.clients
  for select to authenticated using (user_id = (select auth.uid()));
revoke all on public.clients from public, anon, authenticated;
grant select on public.clients to authenticated;
grant all on public.clients to service_role;

create function public.get_or_create_client(
  p_id text,
  p_name text,
  p_email text default null,
  p_phone text default null,
  p_company text default null,
  p_user_id uuid default null,
  p_request_id text default null
) returns table (id text, user_id uuid, name text, email text, phone text, company text,
                 created_at timestamptz, updated_at timestamptz, created boolean)
language plpgsql volatile
security definer
set search_path = pg_catalog, pg_temp
as $$
#variable_conflict use_column
declare
  v_actor record := private.resolve_user(p_user_id);
  v_request_id text := private.check_request_id(p_request_id);
  v_name text := btrim(p_name);
  v_client public.clients;
begin
  if p_id is null or char_length(p_id) > 128 or p_id !~ '^[A-Za-z0-9_-]+$' then
    raise exception 'p_id must be 1 to 128 characters of A-Z, a-z, 0-9, _ and -'
      using errcode = '22023', detail = format('p_id = %L', left(p_id, 40));
  end if;
  if v_name is null or char_length(v_name) not between 1 and 200 or v_name ~ '[[:cntrl:]]' then
    raise exception 'p_name must be 1 to 200 characters after trimming, without control characters'
      using errcode = '22023';
  end if;
  if p_email is not null and (char_length(p_email) > 320 or p_email !~ '^[^@[:space:][:cntrl:]]+@[^@[:space:][:cntrl:]]+$') then
    raise exception 'p_email must be an email address of at most 320 characters' using errcode = '22023';
  end if;
  if p_phone is not null and p_phone !~ '^[+0-9 ().-]{3,40}$' then
    raise exception 'p_phone must be 3 to 40 characters of digits, spaces and + ( ) . -' using errcode = '22023';
  end if;
  if p_company is not null and (char_length(p_company) not between 1 and 200 or p_company ~ '[[:cntrl:]]') then
    raise exception 'p_company must be 1 to 200 characters without control characters' using errcode = '22023';
  end if;

  with ins as (
    insert into public.clients (id, user_id, name, email, phone, company)
    values (p_id, v_actor.user_id, v_name, p_email, p_phone, p_company)
    on conflict (user_id, id) do nothing
    returning *
  ), e as (
    insert into public.project_events (event_type, user_id, client_id, actor_role, request_id)
    select 'client_created', ins.user_id, ins.id, v_actor.actor_role, v_request_id from ins
  )
  select * into v_client from ins;
  if v_client.id is not null then
    return query select v_client.id, v_client.user_id, v_client.name, v_client.email, v_client.phone,
                        v_client.company, v_client.created_at, v_client.updated_at, true;
    return;
  end if;

  -- ON CONFLICT ... RETURNING gives no row on a conflict: read the winner.
  select * into v_client from public.clients c where c.user_id = v_actor.user_id and c.id = p_id;
  return query select v_client.id, v_client.user_id, v_client.name, v_client.email, v_client.phone,
                      v_client.company, v_client.created_at, v_client.updated_at, false;
end
$$;
comment on function public.get_or_create_client(text, text, text, text, text, uuid, text) is
$$Returns the caller's (or p_user_id's) client with id p_id, creating it if missing; never overwrites it.

Any number of simultaneous calls for one id give one row and no error (created = true for one).
Chat ids are unique per user: the same p_id for two users gives two clients.
p_user_id as in create_complete_project (null = the JWT subject; others only for service_role).
Errors: 22023 bad input, 42501 not allowed, 23503 unknown user. Callers: authenticated, service_role.$$;
revoke execute on function public.get_or_create_client(text, text, text, text, text, uuid, text) from public, anon;
grant execute on function public.get_or_create_client(text, text, text, text, text, uuid, text) to authenticated, service_role;

-- migrate:down
drop function public.get_or_create_client(text, text, text, text, text, uuid, text);
drop table public.clients;
