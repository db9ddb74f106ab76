/**
 * The NextJS example's processes, for `npm run example` and `npm run test:e2e`:
 * its dependencies (examples/nextjs has its own package.json and lock), the
 * local stack (scripts/start.ts) and the Next server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { run } from './cluster.ts';
import { root } from './config.ts';
import { localKeys } from './keys.ts';

export const exampleDir = path.join(root, 'examples', 'nextjs');

/** npm ci in examples/nextjs when its dependencies are missing. */
export async function ensureExampleDeps(log: (m: string) => void): Promise<void> {
  if (existsSync(path.join(exampleDir, 'node_modules', 'next'))) return;
  log('installing the example\'s dependencies (npm ci in examples/nextjs)');
  const r = await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: exampleDir });
  if (r.code !== 0) throw new Error(`npm ci in examples/nextjs failed:\n${r.stderr.slice(-2000)}`);
}

/** Spawns a process and resolves once `ready(output)` holds; rejects if it exits first. */
export function spawnUntil(
  cmd: string,
  args: string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; ready: (output: string) => boolean; timeoutMs: number; echo?: (chunk: string) => void },
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (d: Buffer) => {
    output += d;
    opts.echo?.(d.toString());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${path.basename(args[0] ?? cmd)} was not ready within ${opts.timeoutMs / 1000} s:\n${output.slice(-3000)}`)), opts.timeoutMs);
    const check = setInterval(() => {
      if (opts.ready(output)) {
        clearInterval(check);
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, output: () => output });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.join(' ')} exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}

/** Stops a child (SIGINT, then SIGKILL after 10 s) and waits for it. */
export function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGINT'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}

export const tsxCli = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');
export const nextCli = path.join(exampleDir, 'node_modules', 'next', 'dist', 'bin', 'next');

/**
 * The example's environment for a stack: where the functions are, the
 * database its route handlers use, the local signing key its dev-only sign-in
 * signs sessions with (as Supabase Auth would), and the secret key its
 * dev-only worker simulator calls complete-build with.
 */
export function exampleEnv(apiUrl: string, databaseUrl: string): Record<string, string> {
  const keys = localKeys();
  return {
    SUPABASE_URL: apiUrl,
    DATABASE_URL: databaseUrl,
    SUPABASE_ANON_KEY: keys.anonKey,
    SUPABASE_SECRET_KEY: keys.secretKey,
    LOCAL_SIGNING_KEY: JSON.stringify(keys.signingKey),
  };
}
