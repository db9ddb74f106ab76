/**
 * `npm start`'s script as a child process, for the suites that need the whole
 * local stack (tests/start.test.ts, tests/docs.test.ts): started with the
 * given environment, and ready once it prints "ready in <n> s".
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '..', '..');
export const tsx = path.join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs');

export interface StartedStack {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

/** Runs scripts/start.ts with `env` and resolves once it is ready (rejects if it exits or takes over 60 s). */
export async function startStack(env: NodeJS.ProcessEnv): Promise<StartedStack> {
  let output = '';
  const child = spawn(process.execPath, [tsx, 'scripts/start.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" within 60 s:\n${output}`)), 60_000);
    const check = setInterval(() => {
      if (/ready in [\d.]+ s/.test(output)) {
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }
    }, 50);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output };
}
