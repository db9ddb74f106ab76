/**
 * The stack state: where the running local stack is. `npm start` and
 * `npm run db:start` write it to STACK_STATE_FILE (.data/stack.json,
 * git-ignored); `dev:user`, `db:migrate`, `db:status`, `env`, `example` and
 * `functions:serve` use it when no explicit setting is given, and say so.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { portInUse } from './cluster.ts';
import { config, root } from './config.ts';

export interface StackState {
  /** Who wrote it: `npm start` (a long-running process) or `npm run db:start` (the database only). */
  owner: 'start' | 'db:start';
  pid: number;
  startedAt: string;
  databaseUrl: string;
  /** The embedded database (absent when DATABASE_URL was used). */
  embedded?: { port: number; dataDir: string; pid: number | null };
  /** True when the writer started the embedded database (so stopping it is the writer's job). */
  ownsDatabase: boolean;
  /** `npm start` only: the gateway and the functions' credentials. */
  apiUrl?: string;
  publishableKey?: string;
  secretKey?: string;
  anonKey?: string;
  serviceRoleKey?: string;
}

export const stackFileLabel = () => path.relative(root, config.stackFile) || config.stackFile;

export function readStackFile(): StackState | null {
  if (!existsSync(config.stackFile)) return null;
  try {
    return JSON.parse(readFileSync(config.stackFile, 'utf8')) as StackState;
  } catch {
    return null;
  }
}

/** True when the process runs (a zombie, killed but not yet reaped, does not count). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS): the signal check is all there is
  }
}

/** The recorded stack if it still runs (npm start's process alive, or the database answering), else null. */
export async function runningStack(): Promise<StackState | null> {
  const state = readStackFile();
  if (!state) return null;
  if (state.owner === 'start' && pidAlive(state.pid)) return state;
  if (state.owner === 'db:start' && state.embedded && (await portInUse(state.embedded.port))) return state;
  return null;
}

export function writeStack(state: StackState): void {
  mkdirSync(path.dirname(config.stackFile), { recursive: true });
  const tmp = `${config.stackFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, config.stackFile);
}

/** Removes the state if `matches` says it is the one to remove (never another process's). */
export function clearStack(matches: (s: StackState) => boolean): void {
  const state = readStackFile();
  if (state && matches(state)) rmSync(config.stackFile, { force: true });
}

/** "npm start (pid 123, .data/stack.json)": which stack a script used. */
export const describeStack = (s: StackState) =>
  `the running stack of \`${s.owner === 'start' ? 'npm start' : 'npm run db:start'}\` (${s.owner === 'start' ? `pid ${s.pid}, ` : ''}${stackFileLabel()})`;
