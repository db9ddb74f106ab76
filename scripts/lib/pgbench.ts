/**
 * pgbench (Debian's PostgreSQL 15) as the bench's load generator: loopback
 * only, bounded runs, and throughput counted by us (transactions processed /
 * seconds run). pgbench's own "tps without initial connection time" divides
 * by the run time minus the connection time, which inflates short runs whose
 * connections were slow: that is how `select 1` once read 193k tps on 2 cores.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { run } from './cluster.ts';
import { debianPg15 } from './binaries.ts';

export const pgbenchPath = path.join(debianPg15.binDir, 'pgbench');

export interface PgbenchResult {
  tps: number;
  latencyMs: number;
  failed: number;
}

export interface PgbenchRun {
  clients: number;
  seconds: number;
  /** prepared (default) for single statements; simple for `\;`-joined statements. */
  protocol?: 'prepared' | 'simple';
  env?: Record<string, string>;
}

/** Runs one script, or several (each transaction then picks one at random). */
export async function runPgbench(url: string, script: string | string[], opts: PgbenchRun): Promise<PgbenchResult> {
  const u = new URL(url);
  if (u.hostname !== '127.0.0.1' && u.hostname !== 'localhost') throw new Error(`the bench runs on loopback only, not ${u.hostname}`);
  const { clients, seconds } = opts;
  const r = await run(
    pgbenchPath,
    ['-n', '-M', opts.protocol ?? 'prepared', '-c', String(clients), '-j', String(Math.min(clients, 2)), '-T', String(seconds),
      ...[script].flat().flatMap((f) => ['-f', f]), '-h', u.hostname, '-p', u.port, '-U', 'postgres', 'postgres'],
    { env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password), ...opts.env } },
  );
  if (r.code !== 0) throw new Error(`pgbench failed (${[script].flat().map((f) => path.basename(f)).join(', ')}, ${clients} clients):\n${r.stderr}${r.stdout}`);
  const processed = Number(/number of transactions actually processed: (\d+)/.exec(r.stdout)?.[1]);
  const latencyMs = Number(/latency average = ([\d.]+) ms/.exec(r.stdout)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(r.stdout)?.[1] ?? 0);
  if (!Number.isFinite(processed)) throw new Error(`pgbench printed no transaction count:\n${r.stdout}`);
  return { tps: processed / seconds, latencyMs, failed };
}

/** Writes a pgbench script (with :r, a random number per transaction) and returns its path. */
export async function pgbenchScript(dir: string, name: string, body: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, `\\set r random(1, 1000000000)\n${body.trim()}\n`);
  return file;
}
