-- get_project_feed: a project's events after a cursor, in the order of the transactions that
-- wrote them, only once every older transaction has ended, with what a timeline needs,
-- through row-level security. (Commit order across real connections: tests/sdk/feed.test.ts.)
begin;
select plan(14);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

-- as alice, then as bob: a project each
select tests.authenticate_as('alice');
insert into ids select 'p', project_id::text from public.create_project_for_build(p_name => 'Fed', p_prompt => 'a todo app');
insert into ids select 'b1', current_build_id from public.projects where id = tests.id('p')::uuid;
select is_empty(format($$ select * from public.get_project_feed(%L) $$, tests.id('p')),
  'events of a transaction still running are not handed out');
select tests.clear_authentication();
select tests.authenticate_as('bob');
insert into ids select 'q', project_id::text from public.create_project_for_build(p_name => 'Bob''s', p_prompt => 'a blog');
select tests.clear_authentication();

-- as the database owner: as if each event's transaction had committed long ago, alice's creation after a later one of bob's
update public.project_events set txid = '20'::xid8 where project_id = tests.id('p')::uuid;
update public.project_events set txid = '10'::xid8 where project_id = tests.id('q')::uuid;

-- as alice
select tests.authenticate_as('alice');
select results_eq(
  format($$ select event_type, build_id, build_status, prompt, project_name, is_current_build
              from public.get_project_feed(%L) $$, tests.id('p')),
  format($$ values ('project_created', %1$L, 'started', 'a todo app', 'Fed', true),
                   ('build_started', %1$L, 'started', 'a todo app', 'Fed', true) $$, tests.id('b1')),
  'the project''s events in order, each with its build''s prompt and status');
select is((select cursor from public.get_project_feed(tests.id('p')::uuid, p_limit => 1)),
  (select '20:' || min(id) from public.project_events where project_id = tests.id('p')::uuid),
  'the cursor is the writing transaction and the event id');
select results_eq(
  format($$ select event_type from public.get_project_feed(%L,
              (select cursor from public.get_project_feed(%1$L, p_limit => 1))) $$, tests.id('p')),
  $$ values ('build_started') $$,
  'after a cursor: the next events only');
select is((select count(*)::int from public.get_project_feed()), 2, 'without a project: every event of the caller''s projects, no one else''s');
select is_empty(format($$ select * from public.get_project_feed(%L) $$, tests.id('q')), 'another user''s project reads as empty');
select throws_ok($$ select * from public.get_project_feed(p_after => 'abc') $$, '22023', null, 'a malformed cursor is 22023');
select throws_ok($$ select * from public.get_project_feed(p_limit => 0) $$, '22023', null, 'a limit of 0 is 22023');
select throws_ok($$ select * from public.get_project_feed(p_limit => 1001) $$, '22023', null, 'a limit over 1000 is 22023');
select tests.clear_authentication();

-- as service_role (every project)
select tests.authenticate_as_service_role();
select results_eq(
  format($$ select project_name from public.get_project_feed() where project_id in (%L, %L) $$, tests.id('p'), tests.id('q')),
  $$ values ('Bob''s'), ('Bob''s'), ('Fed'), ('Fed') $$,
  'order is by transaction before id: the higher ids of an older transaction come first');
select tests.clear_authentication();

-- as service_role, the worker: alice's build fails
select tests.authenticate_as_service_role();
select * from public.complete_build(p_build_id => tests.id('b1'), p_status => 'failed', p_error_message => 'exit 1',
                                    p_request_id => 'req-feed-1');
select tests.clear_authentication();
update public.project_events set txid = '21'::xid8 where project_id = tests.id('p')::uuid and txid <> '20'::xid8;

-- as alice: a failed build carries its error, timings and reference id
select tests.authenticate_as('alice');
select results_eq(
  format($$ select event_type, build_status, error_message, reference_id, duration_ms >= 0, completed_at is not null
              from public.get_project_feed(%L, '20:9223372036854775807') $$, tests.id('p')),
  $$ values ('build_failed', 'failed', 'exit 1', 'req-feed-1', true, true) $$,
  'a failed build: its error, reference id, duration and completion time');
select tests.clear_authentication();

-- as anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.get_project_feed() $$, '42501', null, 'anon cannot read the feed');
select tests.clear_authentication();

select is((select prosecdef from pg_proc where oid = 'public.get_project_feed(uuid, text, integer)'::regprocedure), false,
  'the feed runs as its caller, so row-level security decides what it returns');
select ok(has_function_privilege('authenticated', 'public.get_project_feed(uuid, text, integer)', 'execute')
          and has_function_privilege('service_role', 'public.get_project_feed(uuid, text, integer)', 'execute'),
  'signed-in users and service_role may read the feed');

select * from finish();
rollback;
