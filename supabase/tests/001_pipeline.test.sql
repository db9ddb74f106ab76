-- The pgTAP pipeline: pgTAP runs inside the migrated database, and dbmate's
-- record of the applied migrations lives outside every schema the Data API exposes.
begin;
select plan(4);

select has_extension('pgtap', 'pgTAP is installed in the database under test');
select has_table('dbmate', 'schema_migrations', 'dbmate recorded the migrations it applied in dbmate.schema_migrations');
select ok(
  (select count(*) from dbmate.schema_migrations) > 0,
  'at least one migration was applied'
);
select hasnt_table('public', 'schema_migrations', 'no migrations table in public, where anon could read and write it');

select * from finish();
rollback;
