/**
 * npm test: every suite, against a throwaway PostgreSQL 17 with the real migrations.
 *
 *   npm test                      vitest suites, then pgTAP suites (pg_prove supabase/tests)
 *   npm test -- --only=vitest     just one kind (vitest | pgtap)
 *   npm test -- tests/sdk         extra arguments go to vitest (file filters)
 *
 * Set TEST_DATABASE_URL to run the suites against an existing database
 * instead; the migrations are applied to it, and pgTAP is created in the
 * schema tests for the run (the user must be allowed CREATE EXTENSION pgtap,
 * as `postgres` is on Supabase and on this project's clusters). The suites
 * write rows, so the database must say it is disposable:
 *   comment on database <name> is 'disposable: ...'   (the comment starts with "disposable")
 * or the run must say so: TEST_DATABASE_DISPOSABLE=1. Either way the run
 * leaves it as it found it (its users and their rows removed, the schema tests
 * and pgTAP dropped, no role setting or grant left), checks that it did, and
 * can run again.
 *
 * The suites also get a PgBouncer in pool_mode = transaction in front of the
 * database (POOLER_URL, POOLER_SINGLE_URL): the storms, the edge functions
 * and the stale-claims test go through it.
 * Exits non-zero on any failure; the last line is "<n> passed, <m> failed".
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { config, root } from './lib/config.ts';
import { cleanUpTestDatabase, prepareTestDatabase, TESTS_SCHEMA } from './lib/test-database.ts';
import { startPooler, type Pooler } from './lib/pooler.ts';
import { installPgtapFiles, startThrowaway, type Throwaway } from './lib/throwaway.ts';
import { spawn } from 'node:child_process';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const args = process.argv.slice(2);
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const vitestArgs = args.filter((a) => !a.startsWith('--only='));
const log = (m: string) => console.log(`[test] ${m}`);

interface Counts {
  passed: number;
  failed: number;
}

function which(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    if (dir && existsSync(p)) return p;
  }
  return null;
}

/** Streams a child's output through (without the lines `hide` matches) and resolves its exit code. */
function runInherit(cmd: string, argv: string[], env: NodeJS.ProcessEnv, hide?: RegExp): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    let pending = '';
    const pass = (text: string) => process.stdout.write(hide ? text.split(/(?<=\n)/).filter((l) => !hide.test(l)).join('') : text);
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      // Whole lines only, so a hidden line split across chunks is still recognised.
      const text = pending + d.toString();
      const cut = text.lastIndexOf('\n') + 1;
      pending = text.slice(cut);
      pass(text.slice(0, cut));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      pass(pending);
      resolve({ code: code ?? 1, out });
    });
  });
}

async function runVitest(url: string, pooler: Pooler): Promise<Counts> {
  const report = path.join(root, '.data', `vitest-report-${process.pid}.json`);
  const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  const r = await runInherit(
    process.execPath,
    [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...vitestArgs],
    {
      ...process.env,
      DATABASE_URL: url,
      TEST_DATABASE_URL: url,
      POOLER_URL: pooler.url,
      POOLER_SINGLE_URL: pooler.singleUrl,
      ...(process.stdout.isTTY ? {} : { NO_COLOR: '1' }),
    },
    // The JSON report is read for the counts below and then deleted: its "written to" line would mislead.
    /JSON report written to /,
  );
  if (!existsSync(report)) return { passed: 0, failed: Math.max(1, r.code) };
  const json = JSON.parse(await readFile(report, 'utf8')) as {
    numPassedTests: number;
    numFailedTests: number;
    numFailedTestSuites: number;
    success: boolean;
  };
  await rm(report, { force: true });
  const failed = json.numFailedTests + (json.numFailedTests === 0 && (!json.success || r.code !== 0) ? Math.max(1, json.numFailedTestSuites) : 0);
  return { passed: json.numPassedTests, failed };
}

async function runPgtap(url: string): Promise<Counts> {
  const pgProve = which('pg_prove');
  if (!pgProve) {
    throw new Error('pg_prove is not installed: apt-get install libtap-parser-sourcehandler-pgtap-perl (or run .ci/run)');
  }
  const u = new URL(url);
  const env = {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: u.pathname.slice(1) || 'postgres',
    PGSSLMODE: u.searchParams.get('sslmode') ?? 'prefer',
    // pgTAP lives in the schema tests for the run; nothing is set on a role.
    PGOPTIONS: `-c search_path=public,${TESTS_SCHEMA},extensions`,
  };
  // 001_pipeline checks that every migration file was applied: the suites see the files through psql's :migrations.
  const migrations = (await readdir(config.migrationsDir)).flatMap((f) => /^(\d+)_.*\.sql$/.exec(f)?.[1] ?? []).join(',');
  const r = await runInherit(
    pgProve,
    ['--ext', '.sql', '--recurse', '--failures', '--comments', '--set', `migrations=${migrations}`, 'supabase/tests'],
    env,
  );
  const totals = /Files=(\d+), Tests=(\d+)/.exec(r.out);
  const tests = totals ? Number(totals[2]) : 0;
  let failed = 0;
  for (const m of r.out.matchAll(/Failed: (\d+)\)/g)) failed += Number(m[1]);
  failed += [...r.out.matchAll(/Parse errors: /g)].length; // a file that died or ran a wrong plan
  if (r.code !== 0 && failed === 0) failed = 1;
  return { passed: Math.max(0, tests - failed), failed };
}

let db: Throwaway | undefined;
let pooler: Pooler | undefined;

async function main(): Promise<number> {
  const external = process.env.TEST_DATABASE_URL || undefined;
  try {
    let where: string;
    let pgtapVersion = only === 'vitest' ? 'not used' : 'from the target server';
    if (only !== 'vitest' && !external) pgtapVersion = await installPgtapFiles();
    if (only !== 'vitest' && external) await installPgtapFiles().catch(() => undefined); // for a local embedded server
    if (only !== 'vitest' && !which('pg_prove')) {
      throw new Error('pg_prove is not installed: apt-get install libtap-parser-sourcehandler-pgtap-perl (or run .ci/run)');
    }
    if (external) {
      where = 'TEST_DATABASE_URL';
    } else {
      db = await startThrowaway();
      where = `a throwaway embedded cluster on 127.0.0.1:${db.cluster.opts.port}`;
    }
    const url = external ?? db!.url;
    const prepared = await prepareTestDatabase(url, { external: Boolean(external), pgtap: only !== 'vitest', log });
    log(`server: ${prepared.version.split(',')[0]} (${where}); pgTAP: ${pgtapVersion}`);

    const results: Record<string, Counts> = {};
    try {
      // pgTAP first: its files roll back, so vitest then starts from the same clean database.
      if (only !== 'vitest') results.pgtap = await runPgtap(url);
      if (only !== 'pgtap') {
        pooler = await startPooler(url);
        log(`pgbouncer (pool_mode = transaction) on ${new URL(pooler.url).host}`);
        results.vitest = await runVitest(url, pooler);
      }
    } finally {
      await pooler?.stop();
      pooler = undefined;
      const left = await cleanUpTestDatabase(url, prepared);
      results['left as found'] = { passed: left.length ? 0 : 1, failed: left.length ? 1 : 0 };
      if (left.length) log(`the run did not leave the database as it found it:\n  ${left.join('\n  ')}`);
    }

    const total = Object.values(results).reduce((a, c) => ({ passed: a.passed + c.passed, failed: a.failed + c.failed }), { passed: 0, failed: 0 });
    console.log('');
    for (const [name, c] of Object.entries(results)) log(`${name}: ${c.passed} passed, ${c.failed} failed`);
    console.log(`${total.passed} passed, ${total.failed} failed`);
    return total.failed === 0 && total.passed > 0 ? 0 : 1;
  } finally {
    await pooler?.stop();
    if (db) await db.dispose();
  }
}

let exiting = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (exiting) return;
    exiting = true;
    log(`${signal}: stopping the test database`);
    void (pooler?.stop() ?? Promise.resolve())
      .then(() => db?.dispose())
      .finally(() => process.exit(130));
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[test] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
