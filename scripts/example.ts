/**
 * npm run example: the NextJS example's dev server on 127.0.0.1:3000
 * (EXAMPLE_PORT) against the local stack: the running one the stack state
 * records (`npm start` in another terminal), else one it starts itself
 * (`npm start`: database, migrations, edge functions on 127.0.0.1:54321).
 * Prints the URL and which stack it used; Ctrl-C stops what it started.
 */
import type { ChildProcess } from 'node:child_process';
import { config, root } from './lib/config.ts';
import { ensureExampleDeps, exampleDir, exampleEnv, nextCli, spawnUntil, stop, tsxCli } from './lib/example.ts';
import { describeStack, readStackFile, runningStack } from './lib/stack.ts';

// Output piped into a reader that quits (| head) must not kill us before cleanup.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const log = (m: string) => console.log(`[example] ${m}`);
const port = Number(process.env.EXAMPLE_PORT ?? 3000);
let stack: ChildProcess | undefined;
let app: ChildProcess | undefined;
let stopping: Promise<void> | undefined;

const shutdown = (code: number) =>
  (stopping ??= (async () => {
    await stop(app, 'SIGTERM');
    await stop(stack);
    process.exit(code);
  })());

/** The stack to use: the running `npm start` of the stack state, or a new one. */
async function useStack(): Promise<{ apiUrl: string; databaseUrl: string }> {
  const running = await runningStack();
  if (running?.owner === 'start' && running.apiUrl && !config.databaseUrl) {
    log(`using ${describeStack(running)}: ${running.apiUrl}`);
    return { apiUrl: running.apiUrl, databaseUrl: running.databaseUrl };
  }
  log('starting the local stack (npm start)');
  const s = await spawnUntil(process.execPath, [tsxCli, 'scripts/start.ts'], {
    cwd: root,
    env: process.env,
    ready: (o) => /ready in/.test(o),
    timeoutMs: 120_000,
    echo: (chunk) => process.stdout.write(chunk),
  });
  stack = s.child;
  stack.once('exit', () => void shutdown(1));
  const state = readStackFile();
  if (!state?.apiUrl) throw new Error('npm start is ready but recorded no stack state');
  return { apiUrl: state.apiUrl, databaseUrl: state.databaseUrl };
}

async function main(): Promise<void> {
  await ensureExampleDeps(log);
  const { apiUrl, databaseUrl } = await useStack();
  log(`starting the NextJS example (next dev) on 127.0.0.1:${port}`);
  const a = await spawnUntil(process.execPath, [nextCli, 'dev', '--hostname', '127.0.0.1', '--port', String(port)], {
    cwd: exampleDir,
    env: { ...process.env, ...exampleEnv(apiUrl, databaseUrl), NEXT_TELEMETRY_DISABLED: '1' },
    ready: (o) => /Ready in|Local:/.test(o),
    timeoutMs: 120_000,
  });
  app = a.child;
  app.stdout!.on('data', (d: Buffer) => process.stdout.write(d.toString().replace(/^/gm, '[next] ')));
  app.once('exit', () => void shutdown(1));
  log(`ready: open http://127.0.0.1:${port} (Ctrl-C stops the example${stack ? ' and the stack' : ''})`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0));

main().catch((e: unknown) => {
  console.error(`[example] ${e instanceof Error ? e.message : String(e)}`);
  void shutdown(1);
});
