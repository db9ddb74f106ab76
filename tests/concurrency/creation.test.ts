/**
 * Project creation under real concurrency: identical calls racing
 * on separate connections converge on one project, with zero errors, and
 * every project has exactly one build and one AI-time session.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPostgres } from '../../src/index.ts';
import { connect, createUser, type Sql, first } from '../helpers/db.ts';
import { describeErrors, openPool, settle } from '../helpers/pool.ts';

let owner: Sql;
let pool: Sql;

beforeAll(async () => {
  owner = connect(2);
  pool = await openPool(50);
});
afterAll(async () => {
  await pool.end();
  await owner.end();
});

async function projectsOf(userId: string) {
  return owner<{ id: string; builds: number; sessions: number; versions: number }[]>`
    select p.id,
           (select count(*)::int from public.project_build_metrics m where m.project_id = p.id) as builds,
           (select count(*)::int from public.ai_time_sessions a where a.project_id = p.id) as sessions,
           (select count(*)::int from public.project_versions v where v.project_id = p.id) as versions
      from public.projects p where p.user_id = ${userId}`;
}

async function expectNoViolations() {
  expect(await owner`select * from public.check_invariants()`).toEqual([]);
}

describe('50 identical calls at once', () => {
  it('with one idempotency key: one project, one created = true, the same ids for all, zero errors', async () => {
    const user = await createUser(owner);
    const api = fromPostgres(pool, { actAs: { userId: user }, logger: null });
    const key = randomUUID();
    const { values, errors } = await settle(
      Array.from({ length: 50 }, () => api.createCompleteProject({ name: 'Storm', framework: 'react', idempotencyKey: key })),
    );
    expect(errors, describeErrors(errors)).toEqual([]);
    expect(values.filter((v) => v.created)).toHaveLength(1);
    expect(new Set(values.map((v) => `${v.projectId}/${v.buildId}/${v.versionId}`)).size).toBe(1);
    const projects = await projectsOf(user);
    expect(projects).toEqual([{ id: values[0]!.projectId, builds: 1, sessions: 1, versions: 1 }]);
    await expectNoViolations();
  });

  it('without a key, same name: one project through the duplicate window, zero errors', async () => {
    const user = await createUser(owner);
    const api = fromPostgres(pool, { actAs: { userId: user }, logger: null });
    const { values, errors } = await settle(
      Array.from({ length: 50 }, () => api.createProjectForBuild({ name: 'Same name', framework: 'vue' })),
    );
    expect(errors, describeErrors(errors)).toEqual([]);
    expect(values.filter((v) => v.created)).toHaveLength(1);
    expect(new Set(values.map((v) => v.projectId)).size).toBe(1);
    expect(await projectsOf(user)).toEqual([{ id: values[0]!.projectId, builds: 1, sessions: 1, versions: 0 }]);
    await expectNoViolations();
  });

  it('as service_role for one user with a legacy project id: one project, zero 23505', async () => {
    const user = await createUser(owner);
    const api = fromPostgres(pool, { actAs: 'service_role', logger: null });
    const projectId = randomUUID();
    const { values, errors } = await settle(
      Array.from({ length: 50 }, () => api.createCompleteProject({ userId: user, projectId, name: 'Legacy', source: 'worker-service' })),
    );
    expect(errors, describeErrors(errors)).toEqual([]);
    expect(values.filter((v) => v.created)).toHaveLength(1);
    expect(values.every((v) => v.projectId === projectId)).toBe(true);
    expect(await projectsOf(user)).toEqual([{ id: projectId, builds: 1, sessions: 1, versions: 1 }]);
  });
});

describe('20 users × 10 parallel calls', () => {
  it.each([
    ['with a key per user', true],
    ['without keys', false],
  ])('%s: exactly 20 projects, one per user, zero errors', async (_label, withKey) => {
    const users = await Promise.all(Array.from({ length: 20 }, () => createUser(owner)));
    const keys = new Map(users.map((u) => [u, randomUUID()]));
    const calls = users.flatMap((user) => {
      const api = fromPostgres(pool, { actAs: { userId: user }, logger: null });
      return Array.from({ length: 10 }, () =>
        api.createCompleteProject({ name: 'Parallel', framework: 'svelte', idempotencyKey: withKey ? keys.get(user) : undefined }),
      );
    });
    const { values, errors } = await settle(calls);
    expect(errors, describeErrors(errors)).toEqual([]);
    expect(values.filter((v) => v.created)).toHaveLength(20);
    const { projects, builds, sessions } = first(await owner<{ projects: number; builds: number; sessions: number }[]>`
      select count(distinct p.id)::int as projects,
             (select count(*)::int from public.project_build_metrics m where m.user_id = any(${users}::uuid[])) as builds,
             (select count(*)::int from public.ai_time_sessions a where a.user_id = any(${users}::uuid[])) as sessions
        from public.projects p where p.user_id = any(${users}::uuid[])`);
    expect({ projects, builds, sessions }).toEqual({ projects: 20, builds: 20, sessions: 20 });
    await expectNoViolations();
  });
});
