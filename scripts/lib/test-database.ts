/**
 * What `npm test` does to the database it runs on, so that it leaves it as it
 * found it: refuse one that does not say it is disposable (TEST_DATABASE_URL),
 * note its state, give the suites a schema tests with pgTAP, then remove what
 * the run wrote and report any difference from the noted state.
 */
import postgres from 'postgres';
import { migrate } from './migrate.ts';

/** Where pgTAP and the suites' helpers live for a run (created and dropped by it). */
export const TESTS_SCHEMA = 'tests';

/** Refuses a TEST_DATABASE_URL that does not say it is disposable (unless TEST_DATABASE_DISPOSABLE=1). */
export async function requireDisposable(sql: postgres.Sql): Promise<void> {
  if (process.env.TEST_DATABASE_DISPOSABLE === '1') return;
  const [row] = await sql<{ name: string; comment: string | null }[]>`
    select current_database() as name, shobj_description(d.oid, 'pg_database') as comment
      from pg_database d where d.datname = current_database()`;
  if (!/^disposable\b/i.test(row!.comment ?? '')) {
    throw new Error(
      `TEST_DATABASE_URL: the database ${row!.name} does not say it is disposable, and the suites write to it.\n` +
        `Mark it:  comment on database ${row!.name} is 'disposable: npm test may write here'\n` +
        'or say so for this run:  TEST_DATABASE_DISPOSABLE=1 npm test',
    );
  }
}

/**
 * What a run must leave as it found it: schemas, roles and their settings,
 * extensions, default privileges, the grants on our schemas' objects and on
 * extensions' functions, and the number of rows of every table we write.
 */
async function snapshot(sql: postgres.Sql): Promise<Record<string, unknown>> {
  const [state] = await sql<{ state: Record<string, unknown> }[]>`
    select jsonb_build_object(
      'schemas', (select jsonb_agg(nspname order by nspname) from pg_namespace where nspname !~ '^pg_(toast_)?temp_'),
      'roles', (select jsonb_agg(rolname order by rolname) from pg_roles),
      'role settings', (select jsonb_agg(format('%s %s %s', setrole, setdatabase, setconfig) order by 1) from pg_db_role_setting),
      'extensions', (select jsonb_agg(extname || ' ' || extnamespace::regnamespace order by extname) from pg_extension),
      'default privileges', (select jsonb_agg(format('%s %s %s %s', defaclrole::regrole, defaclnamespace, defaclobjtype, defaclacl) order by 1) from pg_default_acl),
      'relation grants', (select jsonb_agg(format('%s %s', c.oid::regclass, c.relacl) order by 1) from pg_class c
                          where c.relnamespace::regnamespace::text in ('public', 'private', 'extensions', 'auth', 'dbmate')),
      'function grants', (select jsonb_agg(format('%s %s', p.oid::regprocedure, p.proacl) order by 1) from pg_proc p
                          where p.pronamespace::regnamespace::text in ('public', 'private', 'extensions', 'auth')),
      'schema grants', (select jsonb_agg(format('%s %s', nspname, nspacl) order by 1) from pg_namespace where nspname !~ '^pg_(toast_)?temp_')
    ) as state`;
  const tables = await sql<{ name: string }[]>`
    select c.oid::regclass::text as name from pg_class c
     where c.relkind in ('r', 'p') and (c.relnamespace::regnamespace::text in ('public', 'private') or c.oid = 'auth.users'::regclass)
     order by 1`;
  const rows: Record<string, number> = {};
  for (const { name } of tables) {
    const [r] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${name}`);
    rows[name] = r!.n;
  }
  return { ...state!.state, rows };
}

function differences(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return Object.keys({ ...before, ...after })
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map((k) => `${k}: before ${JSON.stringify(before[k])}\n        after  ${JSON.stringify(after[k])}`);
}

export interface Prepared {
  version: string;
  users: string[];
  before: Record<string, unknown>;
  createdPgtap: boolean;
}

/**
 * Migrates the database, notes what the run must leave as it found, then
 * creates the schema tests with pgTAP in it (unless pgTAP is already installed).
 */
export async function prepareTestDatabase(
  url: string,
  opts: { external: boolean; pgtap: boolean; log: (m: string) => void },
): Promise<Prepared> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    if (opts.external) await requireDisposable(sql);
    await migrate(url, opts.log);
    const [schema] = await sql<{ exists: boolean }[]>`select to_regnamespace(${TESTS_SCHEMA}) is not null as exists`;
    if (schema!.exists) {
      throw new Error(`the schema ${TESTS_SCHEMA} already exists (left by an earlier run?): the suites create and drop it; drop it first`);
    }
    const users = (await sql<{ id: string }[]>`select id from auth.users`).map((r) => r.id);
    const before = await snapshot(sql);
    let createdPgtap = false;
    if (opts.pgtap) {
      await sql.unsafe(`create schema ${TESTS_SCHEMA}`);
      const [pgtap] = await sql<{ installed: boolean }[]>`select exists (select from pg_extension where extname = 'pgtap') as installed`;
      if (!pgtap!.installed) {
        await sql.unsafe(`create extension pgtap schema ${TESTS_SCHEMA}`);
        createdPgtap = true;
      }
      // The suites switch to the API roles and call pgTAP and the helpers of 000_helpers.
      await sql.unsafe(`grant usage on schema ${TESTS_SCHEMA} to anon, authenticated, service_role`);
    }
    const [row] = await sql<{ version: string }[]>`select version()`;
    return { version: row!.version, users, before, createdPgtap };
  } finally {
    await sql.end();
  }
}

/** Removes what the run wrote: the users it created (their rows cascade), the schema tests and pgTAP. Returns what still differs. */
export async function cleanUpTestDatabase(url: string, prepared: Prepared): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql.begin(async (tx) => {
      const created = (await tx<{ id: string }[]>`select id from auth.users where id <> all(${prepared.users}::uuid[])`).map((r) => r.id);
      await tx`delete from auth.users where id = any(${created}::uuid[])`;
      if (prepared.createdPgtap) await tx`drop extension if exists pgtap`;
      await tx.unsafe(`drop schema if exists ${TESTS_SCHEMA} cascade`);
    });
    return differences(prepared.before, await snapshot(sql));
  } finally {
    await sql.end();
  }
}
