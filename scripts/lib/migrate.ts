/**
 * Applies the Supabase-compatibility bootstrap (plain PostgreSQL only) and the
 * dbmate migrations in sql/migrations.
 *
 * dbmate records what it applied in dbmate.schema_migrations: outside every
 * schema the Data API exposes (public would make it readable and writable by
 * anon through Supabase's default privileges). A database migrated before
 * has public.schema_migrations: it is moved there first, rows and all.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import postgres from 'postgres';
import { run, type Cluster } from './cluster.ts';
import { config, root } from './config.ts';

const require = createRequire(import.meta.url);

/** What sql/bootstrap/supabase_compat.sql writes on the schema auth: it marks a database it shaped. */
export const BOOTSTRAP_MARK = 'Supabase compatibility for plain PostgreSQL (sql/bootstrap/supabase_compat.sql)';

/**
 * 'supabase': a real Supabase database (its own roles, an auth schema not ours);
 * 'compat': one this project's bootstrap shaped; 'plain': plain PostgreSQL.
 */
export async function databaseKind(sql: postgres.Sql): Promise<'supabase' | 'compat' | 'plain'> {
  const [row] = await sql<{ roles: boolean; ours: boolean }[]>`
    select exists (select from pg_roles where rolname in ('supabase_admin', 'supabase_auth_admin')) as roles,
           coalesce(obj_description(to_regnamespace('auth'), 'pg_namespace') = ${BOOTSTRAP_MARK}, false) as ours`;
  return row!.ours ? 'compat' : row!.roles ? 'supabase' : 'plain';
}

/** True when the target is a real Supabase database. */
export async function isSupabaseDatabase(sql: postgres.Sql): Promise<boolean> {
  return (await databaseKind(sql)) === 'supabase';
}

/** Applies sql/bootstrap/supabase_compat.sql to plain PostgreSQL only (never to Supabase, nor twice). */
export async function applyBootstrap(url: string, log: (m: string) => void): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const kind = await databaseKind(sql);
    if (kind !== 'plain') {
      log(kind === 'supabase'
        ? 'Supabase database detected: the compatibility bootstrap is skipped'
        : 'Supabase-shaped already (the compatibility bootstrap was applied)');
      return;
    }
    await sql.unsafe(await readFile(config.bootstrapFile, 'utf8'));
    log('Supabase compatibility bootstrap applied (roles, auth schema, extensions)');
  } finally {
    await sql.end();
  }
}

/** Where dbmate records the applied migrations (schema dbmate: never exposed). */
export const MIGRATIONS_TABLE = 'dbmate.schema_migrations';

/**
 * A cluster this project created (initdb's superuser is supabase_admin, as on
 * Supabase): applies the bootstrap as that superuser, which creates the
 * ordinary role `postgres` the migrations run as, with the cluster's password.
 * Idempotent. A data directory made before, whose superuser is `postgres`,
 * has no supabase_admin: it is left to migrate(), which bootstraps it as
 * plain PostgreSQL.
 */
export async function bootstrapCluster(cluster: Cluster, log: (m: string) => void): Promise<void> {
  if ((cluster.opts.superuser ?? 'postgres') === 'postgres') return;
  const sql = postgres(cluster.adminUrl, { max: 1, onnotice: () => undefined });
  try {
    try {
      await sql`select 1`;
    } catch (e) {
      if ((e as { code?: string }).code === '28000' || (e as { code?: string }).code === '28P01') {
        log(`this data directory predates the ${cluster.opts.superuser} superuser; \`npm run db:reset\` makes it Supabase-shaped`);
        return;
      }
      throw e;
    }
    await sql.unsafe(await readFile(config.bootstrapFile, 'utf8'));
    const [row] = await sql<{ stmt: string }[]>`select format('alter role postgres password %L', ${cluster.password}::text) as stmt`;
    await sql.unsafe(row!.stmt);
  } finally {
    await sql.end();
  }
}

/** dbmate's URL: local servers have no TLS, so say so (lib/pq defaults to sslmode=require). */
export function dbmateUrl(url: string): string {
  const u = new URL(url);
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(u.hostname);
  if (local && !u.searchParams.has('sslmode')) u.searchParams.set('sslmode', 'disable');
  return u.toString();
}

export async function dbmate(url: string, args: string[]): Promise<string> {
  const cli = path.join(path.dirname(require.resolve('dbmate/package.json')), 'dist', 'cli.js');
  const r = await run(process.execPath, [
    cli,
    '--url', dbmateUrl(url),
    '--migrations-dir', config.migrationsDir,
    '--migrations-table', MIGRATIONS_TABLE,
    '--no-dump-schema',
    ...args,
  ], { cwd: root });
  if (r.code !== 0) throw new Error(`dbmate ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/**
 * A database migrated when dbmate kept its table in public: moves
 * public.schema_migrations to dbmate.schema_migrations (one transaction), so
 * dbmate sees every migration it applied and the Data API sees none.
 */
export async function moveMigrationsTable(url: string, log: (m: string) => void): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql.begin(async (tx) => {
      const [row] = await tx<{ old: boolean; current: boolean }[]>`
        select to_regclass('public.schema_migrations') is not null as old,
               to_regclass('dbmate.schema_migrations') is not null as current`;
      if (!row!.old || row!.current) return;
      await tx`create schema if not exists dbmate`;
      await tx`revoke all on schema dbmate from public`;
      await tx`alter table public.schema_migrations set schema dbmate`;
      await tx`revoke all on dbmate.schema_migrations from public, anon, authenticated, service_role`;
      log('moved public.schema_migrations to dbmate.schema_migrations (outside the exposed schemas)');
    });
  } finally {
    await sql.end();
  }
}

/** The schemas the migrations own (Supabase's own schemas are not ours to judge). */
export const PROJECT_SCHEMAS = ['public', 'private'];

/**
 * Indexes left INVALID in the project's schemas: what a failed
 * `create index concurrently` leaves behind (PostgreSQL keeps the half-built
 * index, and it is never used for reads nor enforces uniqueness).
 */
export async function invalidIndexes(url: string): Promise<string[]> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const rows = await sql<{ name: string }[]>`
      select format('%I.%I', n.nspname, c.relname) as name
        from pg_index i
        join pg_class c on c.oid = i.indexrelid
        join pg_namespace n on n.oid = c.relnamespace
       where not i.indisvalid and n.nspname = any(${PROJECT_SCHEMAS})
       order by 1`;
    return rows.map((r) => r.name);
  } finally {
    await sql.end();
  }
}

/**
 * Bootstrap, then `dbmate up`. A second run applies nothing. Fails when an
 * index in the project's schemas is left invalid, whether this run or an
 * earlier one left it: dbmate records a migration as applied even when a
 * concurrent index build it started failed part way.
 */
export async function migrate(url: string, log: (m: string) => void): Promise<void> {
  await applyBootstrap(url, log);
  await moveMigrationsTable(url, log);
  const out = (await dbmate(url, ['up'])).trim();
  const applied = out.split('\n').filter((l) => l.startsWith('Applying:')).map((l) => l.slice('Applying:'.length).trim());
  log(applied.length ? `migrations: applied ${applied.length} (${applied.at(-1)})` : 'migrations: already up to date');
  const invalid = await invalidIndexes(url);
  if (invalid.length) {
    throw new Error(
      `migrations left ${invalid.length} invalid index(es): ${invalid.join(', ')}. A concurrent index build failed part way ` +
        `(a duplicate value, a lock or statement timeout, a cancel); the index is neither used nor enforced. ` +
        `Fix the cause, then \`drop index concurrently <name>\` and create it again ` +
        `(or \`dbmate rollback\` the migration that creates it and run \`npm run db:migrate\` again).`,
    );
  }
}

/**
 * Migration rules squawk does not know. `create index concurrently if not
 * exists` is refused: after a failed concurrent build has left an invalid
 * index of that name, it skips creating it and the migration is recorded as
 * applied. Without `if not exists`, the next run fails loudly on the name instead.
 */
export function migrationFindings(file: string, text: string): string[] {
  const up = text.split(/^-- migrate:down/m)[0]!.replace(/--[^\n]*/g, '');
  const findings: string[] = [];
  if (/\bcreate\s+(unique\s+)?index\s+concurrently\s+if\s+not\s+exists\b/i.test(up)) {
    findings.push(`${file}: \`create index concurrently if not exists\` hides an invalid index left by a failed build; drop \`if not exists\``);
  }
  return findings;
}

/** The newest applied migration version, or null. */
export async function appliedVersion(sql: postgres.Sql): Promise<string | null> {
  const [row] = await sql<{ version: string | null }[]>`
    select max(version) as version from dbmate.schema_migrations`.catch(() => [{ version: null }]);
  return row?.version ?? null;
}
