-- map_worker_status: each word the worker may send maps to one project
-- status; case and surrounding spaces do not matter; an unknown word is
-- 22023, never a default.
begin;
select plan(20);

select is(public.map_worker_status(w), s, format('%s maps to %s', w, s))
  from (values ('completed', 'deployed'), ('succeeded', 'deployed'), ('deployed', 'deployed'),
               ('failed', 'failed'), ('error', 'failed'),
               ('canceled', 'canceled'), ('cancelled', 'canceled'),
               ('queued', 'queued'), ('pending', 'queued'),
               ('building', 'building'), ('started', 'building'), ('running', 'building'),
               ('superseded', 'superseded')) as t (w, s);
select is(public.map_worker_status('  COMPLETED '), 'deployed', 'case and surrounding spaces are ignored');
select throws_ok($$ select public.map_worker_status('done') $$, '22023', null, 'an unknown status is 22023');
select throws_ok($$ select public.map_worker_status('') $$, '22023', null, 'an empty status is 22023');
select throws_ok($$ select public.map_worker_status(null) $$, '22023', null, 'a null status is 22023, never queued');
select is((select count(*)::int from public.worker_status_map), 13, 'the map has exactly these 13 words');

-- as anon
select tests.authenticate_as_anon();
select is(public.map_worker_status('failed'), 'failed', 'anon may map statuses');
select tests.clear_authentication();
select ok(not has_table_privilege('authenticated', 'public.worker_status_map', 'insert'), 'users cannot change the map');

select * from finish();
rollback;
