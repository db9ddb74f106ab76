-- The database under test is the migrated one: every migration file in
-- sql/migrations is applied, and dbmate's record of them lives outside every
-- schema the Data API exposes. (npm test passes the files' versions in the
-- psql variable migrations; run without it, that check is skipped.)
begin;
select plan(3);

select has_table('dbmate', 'schema_migrations', 'dbmate records the migrations it applied in dbmate.schema_migrations');
\if :{?migrations}
select is_empty(
  format($$ select unnest(string_to_array(%L, ',')) except select version::text from dbmate.schema_migrations $$, :'migrations'),
  'every migration file in sql/migrations is applied');
\else
select skip('the migration files are unknown here: npm test passes their versions (pg_prove --set migrations=...)', 1);
\endif
select hasnt_table('public', 'schema_migrations', 'no migrations table in public, where anon could read and write it');

select * from finish();
rollback;
