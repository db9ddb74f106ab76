-- get_or_create_client: one row per owner and chat id, never overwritten;
-- chat ids are per user, so another user's same id is another client and
-- nobody can take or probe someone else's; identity rules as for project creation.
begin;
select plan(19);
select tests.create_supabase_user('alice');
select tests.create_supabase_user('bob');

-- as alice
select tests.authenticate_as('alice');
create temp table c1 as select * from public.get_or_create_client(p_id => 'chat_123', p_name => ' Acme Corp ', p_email => 'ceo@acme.test',
  p_phone => '+1 (555) 010-0000', p_company => 'Acme');
create temp table c2 as select * from public.get_or_create_client(p_id => 'chat_123', p_name => 'Renamed', p_email => 'other@acme.test');
grant select on c1, c2 to public;
select tests.clear_authentication();

select results_eq($$ select id, user_id, name, email, phone, company, created from c1 $$,
  $$ values ('chat_123', tests.get_supabase_uid('alice'), 'Acme Corp', 'ceo@acme.test', '+1 (555) 010-0000', 'Acme', true) $$,
  'the first call creates the client, trimmed, for the caller');
select results_eq($$ select id, name, email, created from c2 $$, $$ values ('chat_123', 'Acme Corp', 'ceo@acme.test', false) $$,
  'a second call returns the existing row unchanged (never overwrites)');
select is((select count(*)::int from public.clients where id = 'chat_123'), 1, 'one row per owner and chat id');
select is((select count(*)::int from public.project_events where event_type = 'client_created' and client_id = 'chat_123'), 1,
  'one client_created event');

-- as bob, with alice's chat id
select tests.authenticate_as('bob');
create temp table c_bob as select * from public.get_or_create_client(p_id => 'chat_123', p_name => 'Mine');
select results_eq($$ select id, user_id, name, email, created from c_bob $$,
  $$ values ('chat_123', tests.get_supabase_uid('bob'), 'Mine', null::text, true) $$,
  'the same chat id for another user creates that user''s own client, with nothing of alice''s');
select is((select count(*)::int from public.clients), 1, 'another user reads only their own client, none of alice''s');
select throws_ok($$ select * from public.get_or_create_client(p_id => 'chat_9', p_name => 'x', p_user_id => tests.get_supabase_uid('alice')) $$,
  '42501', null, 'an end user cannot create a client for someone else');
select tests.clear_authentication();

-- as service_role
select tests.authenticate_as_service_role();
create temp table c3 as select * from public.get_or_create_client(p_id => 'chat-svc', p_name => 'Via service', p_user_id => tests.get_supabase_uid('bob'));
select is((select user_id from c3), tests.get_supabase_uid('bob'), 'service_role creates for a given user');
select throws_ok($$ select * from public.get_or_create_client(p_id => 'chat-x', p_name => 'x') $$, '22023', null, 'service_role must name the user');
select throws_ok($$ select * from public.get_or_create_client(p_id => 'chat-x', p_name => 'x', p_user_id => gen_random_uuid()) $$,
  '23503', null, 'an unknown user is refused');
select tests.clear_authentication();

-- as alice, with bad input
select tests.authenticate_as('alice');
select throws_ok(format($$ select * from public.get_or_create_client(p_id => %L, p_name => %L, p_email => %L, p_phone => %L) $$, i, n, e, ph), '22023', null, d)
  from (values
    ('', 'x', null, null, 'an empty id'),
    ('has space', 'x', null, null, 'an id with a space'),
    (repeat('i', 129), 'x', null, null, 'an id of 129 characters'),
    ('ok1', '  ', null, null, 'a blank name'),
    ('ok2', 'x', 'not-an-email', null, 'an invalid email'),
    ('ok3', 'x', null, 'call me', 'an invalid phone'),
    ('ok4', e'new\nline', null, null, 'a name with a newline')
  ) as t (i, n, e, ph, d);
select tests.clear_authentication();
select is((select count(*)::int from public.clients where user_id = tests.get_supabase_uid('alice')), 1,
  'the refused calls wrote nothing');

-- as anon
select tests.authenticate_as_anon();
select throws_ok($$ select * from public.get_or_create_client(p_id => 'anon', p_name => 'x') $$, '42501', null, 'anon cannot create clients');
select tests.clear_authentication();

select * from finish();
rollback;
