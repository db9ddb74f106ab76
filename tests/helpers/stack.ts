/**
 * `npm start`'s script as a child process, for the suites that need the whole
 * local stack (tests/start.test.ts, tests/docs.test.ts): started with the
 * given environment, and ready once it prints "ready in <n> s".
 */
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { spawnUntil } from '../../scripts/lib/process.ts';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface StartedStack {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Runs scripts/start.ts with `env` and resolves once it is ready (rejects if it exits or takes over 60 s). */
export function startStack(env: NodeJS.ProcessEnv): Promise<StartedStack> {
  return spawnUntil(process.execPath, [tsx, 'scripts/start.ts'], {
    cwd: root,
    env,
    ready: (output) => /ready in [\d.]+ s/.test(output),
    timeoutMs: 60_000,
    name: 'npm start',
  });
}
