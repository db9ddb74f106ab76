-- Bad input: every limit on a name, framework, prompt, idempotency key and
-- request id is refused with 22023 and writes nothing; the value at the
-- limit is accepted.
begin;
select plan(27);
select tests.create_supabase_user('alice');

-- as alice
select tests.authenticate_as('alice');
select throws_ok(format($$ select * from public.create_complete_project(p_name => %L) $$, v), '22023', null, d)
  from (values
    ('', 'an empty name is refused'),
    ('   ', 'a whitespace-only name is refused'),
    (repeat('x', 121), 'a name of 121 characters is refused'),
    (e'bad\nname', 'a name with a newline is refused'),
    (e'tab\tname', 'a name with a tab is refused'),
    (e'zero\u200bwidth', 'a name with a zero-width space is refused'),
    (e'bidi\u202eoverride', 'a name with a bidi override is refused'),
    (e'soft\u00adhyphen', 'a name with a soft hyphen is refused')
  ) as t (v, d);
select throws_ok($$ select * from public.create_complete_project(p_name => null) $$, '22023', null, 'a null name is refused');
select lives_ok(format($$ select * from public.create_complete_project(p_name => %L) $$, repeat('y', 120)), 'a name of 120 characters is accepted');
select lives_ok($$ select * from public.create_complete_project(p_name => 'Café 🚀 日本') $$, 'a name with accents, emoji and CJK is accepted');

select throws_ok(format($$ select * from public.create_complete_project(p_name => 'x', p_framework => %L) $$, v), '22023', null, d)
  from (values ('cobol', 'an unknown framework is refused'), ('React', 'frameworks are case-sensitive'), ('', 'an empty framework is refused'))
    as t (v, d);
select throws_ok($$ select * from public.create_complete_project(p_name => 'x', p_framework => null) $$, '22023', null, 'a null framework is refused');

select throws_ok(format($$ select * from public.create_complete_project(p_name => 'x', p_prompt => %L) $$, repeat('p', 100001)),
  '22023', null, 'a prompt over 100 000 characters is refused');
select throws_ok($$ select * from public.create_complete_project(p_name => 'x', p_prompt => e' \n\t ') $$, '22023', null, 'a whitespace-only prompt is refused');
select lives_ok(format($$ select * from public.create_complete_project(p_name => 'Long prompt', p_prompt => %L) $$, repeat('p', 100000)),
  'a prompt of 100 000 characters is accepted');

select throws_ok(format($$ select * from public.create_complete_project(p_name => 'x', p_idempotency_key => %L) $$, v), '22023', null, d)
  from (values
    ('', 'an empty key is refused'),
    (repeat('k', 256), 'a key of 256 characters is refused'),
    (' key', 'a key with a leading space is refused'),
    (e'key\n', 'a key with a newline is refused'),
    ('clé', 'a non-ASCII key is refused')
  ) as t (v, d);
select lives_ok(format($$ select * from public.create_complete_project(p_name => 'Max key', p_idempotency_key => %L) $$, repeat('k', 255)),
  'a key of 255 characters is accepted');
select throws_ok($$ select * from public.create_complete_project(p_name => 'x', p_request_id => 'has space') $$, '22023', null, 'a request id with a space is refused');
select tests.clear_authentication();

select is((select count(*)::int from public.projects where user_id = tests.get_supabase_uid('alice')), 4, 'only the four valid calls wrote');
select is((select count(*)::int from public.project_events where event_type = 'project_created' and user_id = tests.get_supabase_uid('alice')), 4, 'and only they left events');

select * from finish();
rollback;
