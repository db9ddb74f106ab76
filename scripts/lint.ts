/**
 * npm run lint: every static check, each finding fails the run.
 *
 * 1. squawk over the up part of every migration (a down migration drops tables by design),
 *    and the project's own migration rules (migrationFindings).
 * 2. On a throwaway PostgreSQL 15 with the migrations applied (a second `db:migrate`
 *    must apply nothing): Supabase's database linter (splinter, through
 *    `supabase db advisors`), plpgsql_check over every function through
 *    `supabase db lint`, sql/schema.sql freshness, src/database.types.ts freshness.
 * 3. `deno check` of the edge functions.
 * 4. The product's own words: no tracked file cites a document that is not in the
 *    repository (the incident write-ups the project grew from, or issue numbers).
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { makeTempDir, run } from './lib/cluster.ts';
import { config, root } from './lib/config.ts';
import { dbmate, migrationFindings } from './lib/migrate.ts';
import { dumpSchema, generateTypes, startMigratedPg15 } from './lib/pg15.ts';

const failures: string[] = [];
const log = (m: string) => console.log(`[lint] ${m}`);
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);
const strip = (s: string) => s.replace(/\x1b\[[0-9;]*m|\x1b\]8;;[^\x1b]*\x1b\\/g, '');

async function squawk(): Promise<void> {
  const dir = await makeTempDir('squawk-');
  try {
    const files = (await readdir(config.migrationsDir)).filter((f) => f.endsWith('.sql')).sort();
    const inTransaction: string[] = [];
    const outside: string[] = [];
    const own: string[] = [];
    for (const f of files) {
      const text = await readFile(path.join(config.migrationsDir, f), 'utf8');
      own.push(...migrationFindings(`sql/migrations/${f}`, text));
      await writeFile(path.join(dir, f), text.split(/^-- migrate:down/m)[0]!);
      // dbmate wraps a migration in a transaction unless its header says transaction:false.
      (/^-- migrate:up transaction:false/m.test(text) ? outside : inTransaction).push(path.join(dir, f));
    }
    let findings = '';
    for (const [group, flags] of [[inTransaction, ['--assume-in-transaction']], [outside, []]] as const) {
      if (group.length === 0) continue;
      const r = await run(bin('squawk'), [...flags, ...group], { env: { ...process.env, NO_COLOR: '1' } });
      if (r.code !== 0) findings += strip(r.stdout + r.stderr).replaceAll(dir, 'sql/migrations');
    }
    if (findings) {
      failures.push('squawk');
      console.log(findings);
    } else log(`squawk: ${files.length} migrations, no findings`);
    if (own.length) {
      failures.push('migration rules');
      console.log(own.join('\n'));
    } else log(`migration rules: ${files.length} migrations, no findings`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function database(): Promise<void> {
  const db = await startMigratedPg15(() => undefined);
  try {
    // A second run must apply nothing.
    const again = await dbmate(db.url, ['up']);
    if (/Applying:/.test(again)) {
      failures.push('migrations are not idempotent');
      console.log(again);
    } else log('migrations: applied to PostgreSQL 15; a second run applies nothing');

    // Every down migration works: roll all of them back, then apply everything again.
    const count = (await readdir(config.migrationsDir)).filter((f) => f.endsWith('.sql')).length;
    try {
      for (let i = 0; i < count; i++) await dbmate(db.url, ['rollback']);
      await dbmate(db.url, ['up']);
      log(`migrations: all ${count} rolled back and applied again`);
    } catch (e) {
      failures.push('a down migration failed');
      console.log(e instanceof Error ? e.message : e);
    }

    // Dump and types first: plpgsql_check adds its own functions to schema public.
    const schema = await dumpSchema(db.url);
    const current = await readFile(config.schemaFile, 'utf8').catch(() => '');
    if (schema !== current) {
      failures.push('sql/schema.sql is stale: run `npm run db:dump`');
      const stale = path.join(root, '.data', 'schema.expected.sql');
      await mkdir(path.dirname(stale), { recursive: true });
      await writeFile(stale, schema);
      log(`sql/schema.sql differs from the migrations (expected: ${path.relative(root, stale)})`);
    } else log('sql/schema.sql matches the migrations');

    const typesFile = path.join(root, 'src', 'database.types.ts');
    const types = await generateTypes(db.url, root);
    if (types !== (await readFile(typesFile, 'utf8').catch(() => ''))) {
      failures.push('src/database.types.ts is stale: run `npm run gen:types`');
    } else log('src/database.types.ts matches the schema');
    await advisors(db.url);

    // plpgsql_check is not a trusted extension: its owner creates it.
    const sql = postgres(db.adminUrl, { max: 1, onnotice: () => undefined });
    await sql`create extension if not exists plpgsql_check`;
    await sql.end();
    const lint = await run(bin('supabase'), [
      'db', 'lint', '--db-url', `${db.url}?sslmode=disable`, '--schema', 'public,private', '--level', 'warning', '--fail-on', 'warning',
    ], { cwd: root });
    const out = (lint.stdout + lint.stderr).split('\n').filter((l) => !/--db-url is deprecated/.test(l)).join('\n').trim();
    if (lint.code !== 0 || !/No schema errors found/.test(out)) {
      failures.push('plpgsql_check (supabase db lint)');
      console.log(out);
    } else log('plpgsql_check (supabase db lint): no findings in schemas public, private');

  } finally {
    await db.dispose();
  }
}

/**
 * The RPCs end users call are SECURITY DEFINER on purpose (the tables are not
 * writable by users; each function checks the caller itself, see
 * docs/security.md): the only finding Supabase's linter may report.
 */
const USER_RPCS = ['create_complete_project', 'create_project_for_build', 'start_build', 'get_or_create_client'];

/** Supabase's database linter (splinter, as bundled in the CLI): no ERROR and no WARN but the user RPCs. */
async function advisors(url: string): Promise<void> {
  const r = await run(bin('supabase'), [
    'db', 'advisors', `--remote=${url}?sslmode=disable`, '--type', 'all', '--level', 'warn', '--output-format', 'json',
  ], { cwd: root, env: { ...process.env, NO_COLOR: '1' } });
  let results: { name: string; level: string; detail: string; metadata?: { schema?: string; name?: string } }[];
  try {
    results = (JSON.parse(r.stdout) as { results: typeof results }).results;
  } catch {
    failures.push('supabase db advisors');
    console.log(r.stdout + r.stderr);
    return;
  }
  const findings = results.filter(
    (f) => !(f.name === 'authenticated_security_definer_function_executable' && f.metadata?.schema === 'public' && USER_RPCS.includes(f.metadata.name ?? '')),
  );
  if (r.code !== 0 || findings.length) {
    failures.push('Supabase database linter (supabase db advisors)');
    for (const f of findings) console.log(`  ${f.level} ${f.name}: ${f.detail}`);
  } else log(`Supabase database linter (supabase db advisors): no ERROR or WARN but on the user RPCs (${results.length})`);
}

async function denoCheck(): Promise<void> {
  const dir = path.join(root, 'supabase', 'functions');
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && !d.name.startsWith('_'))
    .map((d) => `${d.name}/index.ts`);
  const r = await run(bin('deno'), ['check', '--quiet', '--config', 'deno.json', '_local/serve.ts', ...entries], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  if (r.code !== 0) {
    failures.push('deno check');
    console.log(r.stdout + r.stderr);
  } else log(`deno check: ${entries.length} functions and the local runtime`);
}

/**
 * Citations of documents a reader of the repository cannot open: the incident
 * write-ups the project grew from (cited as numbered "seeds") and numbered
 * tracker issues. State the reason instead (docs/design.md tells the story once).
 */
const OUTSIDE_DOCUMENTS = /\bseeds?\s+0\d\d\b|\bseeds?'s?\s+(strategies|fix)\b|\bthe seeds\b|\bissues?\s+#?\d+\b/i;

async function ownWords(): Promise<void> {
  const r = await run('git', ['ls-files', '-z'], { cwd: root });
  const files = r.stdout.split('\0').filter((f) => f && f !== 'package-lock.json' && !f.endsWith('package-lock.json'));
  const hits: string[] = [];
  for (const f of files) {
    const text = await readFile(path.join(root, f), 'utf8').catch(() => '');
    text.split('\n').forEach((line, i) => {
      if (OUTSIDE_DOCUMENTS.test(line)) hits.push(`  ${f}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  if (hits.length) {
    failures.push('citations of documents outside the repository');
    console.log(hits.join('\n'));
  } else log(`own words: ${files.length} tracked files cite no document outside the repository`);
}

async function main(): Promise<number> {
  await ownWords();
  await squawk();
  await database();
  await denoCheck();
  if (failures.length) {
    console.error(`[lint] failed: ${failures.join('; ')}`);
    return 1;
  }
  log('all checks passed');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[lint] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
