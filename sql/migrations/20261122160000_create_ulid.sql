-- migrate:up
-- Server-generated, time-ordered identifiers (no client-generated ids: a client cannot collide or forge one).
-- A pure PL/pgSQL ULID generator, monotonic within a session, a domain that
-- validates every ULID column, and a helper that reads a ULID's timestamp.

-- Fail fast instead of queueing behind live traffic (dbmate runs each migration in a transaction).
set local lock_timeout = '5s';
set local statement_timeout = '60s';

-- A domain, so every ULID column validates its format the same way.
create domain public.ulid as text
  -- squawk-ignore ban-create-domain-with-constraint
  constraint ulid_format check (value ~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$');

comment on domain public.ulid is
  'A ULID: 26 characters of Crockford base32, the first 10 the millisecond timestamp.';

create function public.generate_ulid() returns text
language plpgsql
volatile
set search_path = pg_catalog, pg_temp
as $$
-- Monotonic mode of the ULID spec: the first ULID of a millisecond takes 80
-- fresh bits from gen_random_uuid() (a CSPRNG, no extension needed); the next
-- ones in the same millisecond (or while the clock stands behind the last
-- one) are the previous ULID plus one, incremented directly in base32. The
-- session state lives in two custom settings: ulid.ms and ulid.last.
declare
  v_ms bigint := floor(extract(epoch from clock_timestamp()) * 1000);
  v_ulid text := current_setting('ulid.last', true);
  v_pos int;
  v_rnd bytea;
  v_hi bigint;
  v_lo bigint;
begin
  if v_ulid <> '' and current_setting('ulid.ms', true)::bigint >= v_ms then
    if right(v_ulid, 1) <> 'Z' then
      v_ulid := left(v_ulid, 25)
        || translate(right(v_ulid, 1), '0123456789ABCDEFGHJKMNPQRSTVWXY', '123456789ABCDEFGHJKMNPQRSTVWXYZ');
    else
      -- carry: the trailing Zs become 0s, the character before them goes up by one
      v_pos := 26 - length(substring(v_ulid from '(Z+)$'));
      if v_pos < 11 then
        raise exception 'ULID overflow: 2^80 ULIDs were generated in one millisecond'
          using errcode = '22003', hint = 'Retry in the next millisecond.';
      end if;
      v_ulid := left(v_ulid, v_pos - 1)
        || translate(substr(v_ulid, v_pos, 1), '0123456789ABCDEFGHJKMNPQRSTVWXY', '123456789ABCDEFGHJKMNPQRSTVWXYZ')
        || repeat('0', 26 - v_pos);
    end if;
    return set_config('ulid.last', v_ulid, false);
  end if;

  -- A new millisecond: bytes 0-4 and 11-15 of a version-4 UUID are random
  -- (the version and variant bits sit in bytes 6 and 8).
  v_rnd := uuid_send(gen_random_uuid());
  v_hi := ('x' || encode(substring(v_rnd from 1 for 5), 'hex'))::bit(40)::bigint;
  v_lo := ('x' || encode(substring(v_rnd from 12 for 5), 'hex'))::bit(40)::bigint;
  v_ulid := '';
  for i in 0..9 loop
    v_ulid := v_ulid || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v_ms >> (45 - 5 * i)) & 31)::int + 1, 1);
  end loop;
  for i in 0..7 loop
    v_ulid := v_ulid || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v_hi >> (35 - 5 * i)) & 31)::int + 1, 1);
  end loop;
  for i in 0..7 loop
    v_ulid := v_ulid || substr('0123456789ABCDEFGHJKMNPQRSTVWXYZ', ((v_lo >> (35 - 5 * i)) & 31)::int + 1, 1);
  end loop;
  perform set_config('ulid.ms', v_ms::text, false);
  return set_config('ulid.last', v_ulid, false);
end
$$;

comment on function public.generate_ulid() is
$$Returns a new ULID (26 characters, Crockford base32).

The first 10 characters are the exact floor of clock_timestamp() in
milliseconds; the other 80 bits come from gen_random_uuid(). Monotonic within
a session: ULIDs generated in the same millisecond sort in generation order.
Raises 22003 only if 2^80 ULIDs are generated in one millisecond.
Callable by anyone.$$;

revoke execute on function public.generate_ulid() from public;
grant execute on function public.generate_ulid() to anon, authenticated, service_role;

create function public.ulid_to_timestamp(p_ulid text) returns timestamptz
language plpgsql
immutable
strict
set search_path = pg_catalog, pg_temp
as $$
declare
  v_ms bigint := 0;
begin
  if p_ulid !~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$' then
    raise exception 'p_ulid is not a ULID (26 characters of Crockford base32)'
      using errcode = '22023', detail = format('p_ulid = %L', left(p_ulid, 40));
  end if;
  for i in 1..10 loop
    v_ms := v_ms * 32 + strpos('0123456789ABCDEFGHJKMNPQRSTVWXYZ', substr(p_ulid, i, 1)) - 1;
  end loop;
  return to_timestamp(v_ms / 1000.0);
end
$$;

comment on function public.ulid_to_timestamp(text) is
$$Returns the millisecond timestamp encoded in a ULID's first 10 characters.

Raises 22023 when p_ulid is not a ULID. Callable by anyone.$$;

revoke execute on function public.ulid_to_timestamp(text) from public;
grant execute on function public.ulid_to_timestamp(text) to anon, authenticated, service_role;

-- migrate:down
drop function public.ulid_to_timestamp(text);
drop function public.generate_ulid();
drop domain public.ulid;
