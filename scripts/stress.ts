/**
 * npm run test:stress: runs each concurrency test file again and again while
 * every CPU is kept busy by another process, and reports how many runs passed.
 * A test that waits on time instead of on observable state fails here first.
 *
 *   npm run test:stress                  20 runs of each file in the list below
 *   npm run test:stress -- --runs=5 tests/concurrency/builds.test.ts
 *
 * One throwaway PostgreSQL 17 serves every run (migrated once). Exits non-zero
 * unless every run of every file passed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib/config.ts';
import { migrate } from './lib/migrate.ts';
import { startPooler, type Pooler } from './lib/pooler.ts';
import { startThrowaway, type Throwaway } from './lib/throwaway.ts';

const DEFAULT_FILES = [
  'tests/concurrency/creation.test.ts',
  'tests/concurrency/builds.test.ts',
  'tests/concurrency/call-sequences.test.ts',
  'tests/reliability/storm.test.ts',
  'tests/reliability/faults.test.ts',
  'tests/reliability/pooler.test.ts',
  'tests/sdk/retry-and-poll.test.ts',
  'tests/sdk/feed.test.ts',
];

const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 20);
const files = args.filter((a) => !a.startsWith('--'));
const targets = files.length ? files : DEFAULT_FILES;
const log = (m: string) => console.log(`[stress] ${m}`);

if (!Number.isInteger(runs) || runs < 1) {
  console.error('[stress] --runs must be a positive whole number, e.g. --runs=20');
  process.exit(2);
}

/** One busy loop per CPU: the suites run on a machine with no idle core. */
function burnCpus(): ChildProcess[] {
  return os.cpus().map(() => spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }));
}

function vitest(file: string, url: string, pooler: Pooler): Promise<boolean> {
  const cli = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'run', '--reporter=dot', file], {
      cwd: root,
      env: { ...process.env, DATABASE_URL: url, TEST_DATABASE_URL: url, POOLER_URL: pooler.url, POOLER_SINGLE_URL: pooler.singleUrl, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('close', (code) => {
      if (code !== 0) process.stdout.write(out);
      resolve(code === 0);
    });
  });
}

let db: Throwaway | undefined;
let pooler: Pooler | undefined;
let burners: ChildProcess[] = [];

async function main(): Promise<number> {
  db = await startThrowaway();
  await migrate(db.url, (m) => log(m));
  // As in npm test: the suites reach the database through PgBouncer in transaction mode too.
  pooler = await startPooler(db.url);
  burners = burnCpus();
  log(`${burners.length} busy processes keep every CPU loaded; ${runs} runs of each file`);
  let allPassed = true;
  for (const file of targets) {
    let passed = 0;
    for (let i = 0; i < runs; i++) if (await vitest(file, db.url, pooler)) passed++;
    log(`${file}: ${passed}/${runs}`);
    allPassed &&= passed === runs;
  }
  return allPassed ? 0 : 1;
}

async function cleanup(): Promise<void> {
  for (const b of burners) b.kill('SIGKILL');
  await pooler?.stop();
  await db?.dispose();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void cleanup().finally(() => process.exit(130)));
}

main().then(
  async (code) => {
    await cleanup();
    process.exit(code);
  },
  async (e: unknown) => {
    console.error(`[stress] ${e instanceof Error ? e.message : String(e)}`);
    await cleanup();
    process.exit(1);
  },
);
