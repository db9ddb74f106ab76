-- generate_ulid(): 26 characters of Crockford base32, the exact millisecond
-- floor of clock_timestamp() in the first 10, monotonic within a session.
begin;
select plan(17);

select matches(generate_ulid(), '^[0-7][0-9A-HJKMNP-TV-Z]{25}$', 'a ULID is 26 characters of Crockford base32');
select is(length(generate_ulid()), 26, 'a ULID has 26 characters');

create temp table t as
  select clock_timestamp() as before, generate_ulid() as u, clock_timestamp() as after;
select ok(
  (select ulid_to_timestamp(u) >= date_trunc('milliseconds', before) and ulid_to_timestamp(u) <= after from t),
  'the timestamp part is the millisecond floor of clock_timestamp() at generation');
select is(
  (select extract(epoch from ulid_to_timestamp(u)) * 1000 = floor(extract(epoch from ulid_to_timestamp(u)) * 1000) from t),
  true, 'the timestamp has millisecond precision');

create temp table many as select n, generate_ulid() as u from generate_series(1, 20000) as n;
select is((select count(distinct u) from many), 20000::bigint, '20 000 ULIDs in one statement are distinct');
select is(
  (select count(*) from (select u, lag(u) over (order by n) as prev from many) s where prev is not null and u <= prev),
  0::bigint, 'ULIDs generated in one session sort in generation order (monotonic)');
select ok(
  (select count(distinct left(u, 10)) < 20000 from many),
  'several ULIDs shared a millisecond, so the monotonic increment was exercised');
select is(
  (select count(*) from many where u !~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$'), 0::bigint, 'every generated ULID matches the format');

-- each increment steps the last character to the next one of the alphabet (I, L, O and U skipped)
select set_config('ulid.ms', (floor(extract(epoch from clock_timestamp()) * 1000) + 100000)::text, false);
select is(
  (select string_agg(right(u, 1), '' order by o) from (
     select o, set_config('ulid.last', '01ARZ3NDEKTSV4RRFFQ69G5FA' || c, false) is not null as s, generate_ulid() as u
       from regexp_split_to_table('0123456789ABCDEFGHJKMNPQRSTVWXY', '') with ordinality as a (c, o)) steps),
  '123456789ABCDEFGHJKMNPQRSTVWXYZ',
  'an increment steps the last character to the next one of the alphabet, I, L, O and U skipped');

-- the increment carries through trailing Zs
select set_config('ulid.ms', (floor(extract(epoch from clock_timestamp()) * 1000) + 100000)::text, false),
       set_config('ulid.last', '01ARZ3NDEKTSV4RRFFQ69GZZZZ', false);
select is(generate_ulid(), '01ARZ3NDEKTSV4RRFFQ69H0000', 'the increment carries through trailing Zs');
select is(generate_ulid(), '01ARZ3NDEKTSV4RRFFQ69H0001', 'and continues from there');
select set_config('ulid.last', '01ARZ3NDEKZZZZZZZZZZZZZZZZ', false);
select throws_ok($$ select generate_ulid() $$, '22003', null, 'the random part overflowing within one millisecond raises 22003');
select set_config('ulid.ms', '', false), set_config('ulid.last', '', false);

select is(ulid_to_timestamp('01ARZ3NDEKTSV4RRFFQ69G5FAV'), '2016-07-30 23:54:10.259+00'::timestamptz,
  'ulid_to_timestamp reads the millisecond time held in the first 10 characters');
select throws_ok($$ select ulid_to_timestamp('not-a-ulid') $$, '22023', null, 'ulid_to_timestamp refuses a non-ULID');
select is(ulid_to_timestamp(null), null, 'ulid_to_timestamp(null) is null');

select ok(has_function_privilege('anon', 'public.generate_ulid()', 'execute'), 'anyone may generate ULIDs');
select ok(
  (select provolatile = 'v' from pg_proc where oid = 'public.generate_ulid()'::regprocedure),
  'generate_ulid is volatile');

select * from finish();
rollback;
