/**
 * Applies the Supabase-compatibility bootstrap (plain PostgreSQL only) and the
 * dbmate migrations in sql/migrations.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import postgres from 'postgres';
import { run } from './cluster.ts';
import { config, root } from './config.ts';

const require = createRequire(import.meta.url);

/** True when the target is a Supabase database (its own roles exist). */
export async function isSupabaseDatabase(sql: postgres.Sql): Promise<boolean> {
  const [row] = await sql<{ supabase: boolean }[]>`
    select exists (
      select from pg_roles where rolname in ('supabase_admin', 'supabase_auth_admin')
    ) as supabase`;
  return row!.supabase;
}

/** Applies sql/bootstrap/supabase_compat.sql unless the target is Supabase. */
export async function applyBootstrap(url: string, log: (m: string) => void): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    if (await isSupabaseDatabase(sql)) {
      log('Supabase database detected: the compatibility bootstrap is skipped');
      return;
    }
    await sql.unsafe(await readFile(config.bootstrapFile, 'utf8'));
    log('Supabase compatibility bootstrap applied (roles, auth schema, extensions)');
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
    '--no-dump-schema',
    ...args,
  ], { cwd: root });
  if (r.code !== 0) throw new Error(`dbmate ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Bootstrap, then `dbmate up`. A second run applies nothing. */
export async function migrate(url: string, log: (m: string) => void): Promise<void> {
  await applyBootstrap(url, log);
  const out = (await dbmate(url, ['up'])).trim();
  const applied = out.split('\n').filter((l) => l.startsWith('Applying:')).map((l) => l.slice('Applying:'.length).trim());
  log(applied.length ? `migrations: applied ${applied.length} (${applied.at(-1)})` : 'migrations: already up to date');
}

/** The newest applied migration version, or null. */
export async function appliedVersion(sql: postgres.Sql): Promise<string | null> {
  const [row] = await sql<{ version: string | null }[]>`
    select max(version) as version from public.schema_migrations`.catch(() => [{ version: null }]);
  return row?.version ?? null;
}
