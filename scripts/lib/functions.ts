/**
 * The edge functions under Deno (supabase/functions/_local/serve.ts), given
 * only what hosted Supabase gives a function: the entry of
 * `npm run functions:serve`, `npm start` and the test suites alike.
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { root } from './config.ts';
import { spawnUntil, stop } from './process.ts';

/** What hosted Supabase sets for every function (users cannot set names starting SUPABASE_). */
export const HOSTED_VARIABLES = [
  'SUPABASE_URL',
  'SUPABASE_DB_URL',
  'SUPABASE_JWKS',
  'SUPABASE_PUBLISHABLE_KEYS',
  'SUPABASE_SECRET_KEYS',
  'SUPABASE_ANON_KEY',
  'SUPABASE_SERVICE_ROLE_KEY',
] as const;

/** Secrets a deployment may add (`supabase secrets set`): the functions read these too. */
export const USER_SECRETS = ['LEGACY_JWT_SECRET', 'DB_READ_URL', 'EDGE_DB_POOL_SIZE', 'EDGE_CALLER_IN_FLIGHT', 'EDGE_CALLER_QUEUE', 'EDGE_STATEMENT_TIMEOUT_MS', 'JWKS_COOLDOWN_MS'] as const;

/** Refuses a variable the hosted platform would not provide or accept. */
export function checkFunctionEnv(vars: Record<string, string>): string[] {
  const known = new Set<string>([...HOSTED_VARIABLES, ...USER_SECRETS]);
  return Object.keys(vars).filter((k) => !known.has(k));
}

export interface FunctionsProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts Deno on 127.0.0.1:port with exactly `vars` (plus what Deno itself
 * needs to find its cache), so nothing from the caller's shell leaks in.
 * Resolves once it listens; rejects if it exits first or takes over 60 s.
 */
export async function serveFunctions(
  vars: Record<string, string>,
  port: number,
  opts: { onOutput?: (text: string) => void } = {},
): Promise<FunctionsProcess> {
  const hosts = new Set(['127.0.0.1', 'localhost']);
  for (const name of ['SUPABASE_DB_URL', 'SUPABASE_URL'] as const) {
    try {
      if (vars[name]) hosts.add(new URL(vars[name]).hostname);
    } catch {
      throw new Error(`${name} is not a URL`);
    }
  }
  const passthrough = ['PATH', 'HOME', 'DENO_DIR', 'XDG_CACHE_HOME', 'TMPDIR', 'NO_COLOR', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'NPM_CONFIG_REGISTRY'];
  const base: Record<string, string> = {};
  for (const k of passthrough) if (process.env[k]) base[k] = process.env[k]!;
  // stdin stays open: the runtime exits when it closes (EDGE_EXIT_WITH_PARENT), even if this process is killed.
  const { child } = await spawnUntil(
    path.join(root, 'node_modules', '.bin', 'deno'),
    [
      'run', '--quiet', '--config', 'supabase/functions/deno.json',
      `--allow-net=${[...hosts].join(',')}`, '--allow-env', '--allow-read',
      'supabase/functions/_local/serve.ts',
    ],
    {
      cwd: root,
      env: { ...base, ...vars, EDGE_RUNTIME_PORT: String(port), EDGE_EXIT_WITH_PARENT: '1' },
      stdin: 'pipe',
      ready: (output) => output.includes('edge runtime listening'),
      timeoutMs: 60_000,
      echo: opts.onOutput,
      name: 'the functions (deno)',
    },
  );
  return { child, url: `http://127.0.0.1:${port}`, stop: () => stop(child, 'SIGTERM', 3000) };
}
