/**
 * Real parallelism for the concurrency suites: a postgres.js pool whose
 * connections are all open before the storm, so N calls run on N backends at once.
 */
import { createPostgresClient } from '../../src/index.ts';
import { databaseUrl, type Sql } from './db.ts';

export async function openPool(size: number, options: Parameters<typeof createPostgresClient>[1] = {}): Promise<Sql> {
  const sql = createPostgresClient(databaseUrl(), { max: size, ...options });
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
