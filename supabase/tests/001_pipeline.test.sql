-- The pgTAP pipeline: pgTAP runs inside the migrated database.
begin;
select plan(3);

select has_extension('pgtap', 'pgTAP is installed in the database under test');
select has_table('public', 'schema_migrations', 'dbmate recorded the migrations it applied');
select ok(
  (select count(*) from public.schema_migrations) > 0,
  'at least one migration was applied'
);

select * from finish();
rollback;
