/**
 * Real parallelism for the concurrency suites: a postgres.js pool whose
 * connections are all open before the storm, so N calls run at once. It goes
 * through the PgBouncer `npm test` starts in pool_mode = transaction
 * (POOLER_URL), as production traffic goes through Supabase's pooler: 20
 * server connections shared by every client, each call free to land on a
 * connection another caller used just before.
 */
import { createPostgresClient } from '../../src/index.ts';
import { type Sql } from './db.ts';

/** The test database through the transaction-mode pooler. */
export function poolerUrl(which: 'shared' | 'single' = 'shared'): string {
  const url = which === 'shared' ? process.env.POOLER_URL : process.env.POOLER_SINGLE_URL;
  if (!url) throw new Error('POOLER_URL is not set: run the suites with `npm test` (it starts PgBouncer)');
  return url;
}

export async function openPool(size: number, options: Parameters<typeof createPostgresClient>[1] = {}): Promise<Sql> {
  const sql = createPostgresClient(poolerUrl(), { max: size, pooler: true, ...options });
  // Hold `size` connections at once so each is opened now, not during the storm.
  await Promise.all(Array.from({ length: size }, () => sql`select pg_sleep(0.02)`));
  return sql;
}

/** Settles every promise and splits results from errors. */
export async function settle<T>(calls: Promise<T>[]): Promise<{ values: T[]; errors: unknown[] }> {
  const results = await Promise.allSettled(calls);
  return {
    values: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    errors: results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : [])),
  };
}

export function describeErrors(errors: unknown[]): string {
  return errors.map((e) => `${(e as { sqlstate?: string; code?: string }).sqlstate ?? (e as { code?: string }).code}: ${(e as Error).message}`).join('\n');
}
