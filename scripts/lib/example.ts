/**
 * The NextJS example's processes, for `npm run example` and `npm run test:e2e`:
 * its dependencies (examples/nextjs has its own package.json and lock), the
 * local stack (scripts/start.ts) and the Next server.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { run } from './cluster.ts';
import { root } from './config.ts';
import { localKeys } from './keys.ts';

export { spawnUntil, stop } from './process.ts';

export const exampleDir = path.join(root, 'examples', 'nextjs');

/** npm ci in examples/nextjs when its dependencies are missing. */
export async function ensureExampleDeps(log: (m: string) => void): Promise<void> {
  if (existsSync(path.join(exampleDir, 'node_modules', 'next'))) return;
  log('installing the example\'s dependencies (npm ci in examples/nextjs)');
  const r = await run('npm', ['ci', '--no-audit', '--no-fund'], { cwd: exampleDir });
  if (r.code !== 0) throw new Error(`npm ci in examples/nextjs failed:\n${r.stderr.slice(-2000)}`);
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
