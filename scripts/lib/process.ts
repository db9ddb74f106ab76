/**
 * Child processes of the scripts and suites: started, and resolved once they
 * say they are ready; stopped, and waited for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

/** Spawns a process and resolves once `ready(output)` holds; rejects if it exits first. */
export function spawnUntil(
  cmd: string,
  args: string[],
  opts: {
    cwd: string;
    env: NodeJS.ProcessEnv;
    ready: (output: string) => boolean;
    timeoutMs: number;
    echo?: (chunk: string) => void;
    /** 'pipe' keeps the child's stdin open while this process lives (a child may exit when it closes). */
    stdin?: 'ignore' | 'pipe';
    /** How errors name the process (default: the command). */
    name?: string;
  },
): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const name = opts.name ?? path.basename(args[0] ?? cmd);
  const command = opts.name ?? `${cmd} ${args.join(' ')}`;
  let output = '';
  const onData = (d: Buffer) => {
    output += d;
    opts.echo?.(d.toString());
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} was not ready within ${opts.timeoutMs / 1000} s:\n${output.slice(-3000)}`)), opts.timeoutMs);
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
      reject(new Error(`${command} exited with ${code}:\n${output.slice(-3000)}`));
    });
  });
}

/** Stops a child (`signal`, then SIGKILL after `graceMs`) and waits for it. */
export function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGINT', graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(t);
      resolve();
    });
    child.kill(signal);
  });
}
