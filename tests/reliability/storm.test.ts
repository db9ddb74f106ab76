/**
 * Storm: 50 users × 10 duplicate requests over 32 connections, as a web app
 * and a worker retrying at once produce them → exactly 50 projects, zero
 * errors, and the invariants check returns nothing.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fromPostgres } from '../../src/index.ts';
import { connect, createUser, type Sql, first } from '../helpers/db.ts';
import { describeErrors, openPool, settle } from '../helpers/pool.ts';

let owner: Sql;
let pool: Sql;

beforeAll(async () => {
  owner = connect(2);
  pool = await openPool(32);
});
afterAll(async () => {
  await pool.end();
  await owner.end();
});

it('50 users × 10 duplicate requests over 32 connections: 50 projects, zero errors, no violations', async () => {
  const users = await Promise.all(Array.from({ length: 50 }, () => createUser(owner)));
  const requests = users.flatMap((user) => {
    const api = fromPostgres(pool, { actAs: { userId: user }, logger: null });
    const key = randomUUID();
    return Array.from({ length: 10 }, () => ({ api, key }));
  });
  // Interleave users so every connection sees several owners at once.
  requests.sort(() => Math.random() - 0.5);
  const { values, errors } = await settle(
    requests.map(({ api, key }) => api.createCompleteProject({ name: 'Storm project', framework: 'nextjs', prompt: 'storm', idempotencyKey: key })),
  );
  expect(errors, describeErrors(errors)).toEqual([]);
  expect(values).toHaveLength(500);
  expect(values.filter((v) => v.created)).toHaveLength(50);
  const { projects, builds, versions, sessions, keys } = first(await owner<{ projects: number; builds: number; versions: number; sessions: number; keys: number }[]>`
    select (select count(*)::int from public.projects where user_id = any(${users}::uuid[])) as projects,
           (select count(*)::int from public.project_build_metrics where user_id = any(${users}::uuid[])) as builds,
           (select count(*)::int from public.project_versions where user_id = any(${users}::uuid[])) as versions,
           (select count(*)::int from public.ai_time_sessions where user_id = any(${users}::uuid[])) as sessions,
           (select count(*)::int from public.idempotency_keys where user_id = any(${users}::uuid[])) as keys`);
  expect({ projects, builds, versions, sessions, keys }).toEqual({ projects: 50, builds: 50, versions: 50, sessions: 50, keys: 50 });
  expect(await owner`select * from public.check_invariants()`).toEqual([]);
});
