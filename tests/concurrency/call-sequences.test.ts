/**
 * Every creation path answers right, whatever the order: generated call
 * sequences (create_project_for_build, create_complete_project, start_build,
 * complete_build; worker and web app; with and without keys, through the
 * duplicate window and with legacy project ids) run in concurrent waves on
 * real parallel connections. No call may fail with a server error, every
 * result must parse (the SDK's result schemas are the edge functions'), and
 * every invariant holds after each round.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPostgres, ProjectsError, type ProjectsApi } from '../../src/index.ts';
import { connect, createUser, type Sql } from '../helpers/db.ts';
import { openPool, settle } from '../helpers/pool.ts';

let owner: Sql;
let pool: Sql;

beforeAll(async () => {
  owner = connect(2);
  pool = await openPool(16);
});
afterAll(async () => {
  await pool.end();
  await owner.end();
});

/** mulberry32: a small seeded generator, so a failing sequence can be replayed from its seed. */
function generator(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]! };
}

interface World {
  projects: string[];
  builds: string[];
  legacyIds: string[];
}

type Call = { label: string; run: () => Promise<unknown> };

function nextCall(g: ReturnType<typeof generator>, world: World, user: string, web: ProjectsApi, worker: ProjectsApi): Call {
  const input = () => ({
    name: g.pick([undefined, 'Shop', 'Blog']),
    framework: g.pick([undefined, 'react', 'vue']),
    prompt: g.pick([undefined, 'a shop', 'a blog']),
    idempotencyKey: g.pick([undefined, undefined, 'key-1', 'key-2']),
    projectId: g.pick([undefined, undefined, undefined, ...world.legacyIds]),
  });
  const kind = g.pick(['for-build', 'complete', 'complete', 'start', 'finish'] as const);
  const asWorker = g.next() < 0.5;
  if (kind === 'start' && world.projects.length) {
    const projectId = g.pick(world.projects);
    const args = { projectId, framework: g.pick([undefined, 'react', 'svelte']), idempotencyKey: g.pick([undefined, 'start-1']) };
    return { label: `startBuild ${JSON.stringify(args)}`, run: () => (asWorker ? worker : web).startBuild(args) };
  }
  if (kind === 'finish' && world.builds.length) {
    const args = { buildId: g.pick(world.builds), status: g.pick(['completed', 'failed', 'canceled']) };
    return { label: `completeBuild ${JSON.stringify(args)}`, run: () => worker.completeBuild(args) };
  }
  const i = input();
  const api = asWorker ? worker : web;
  const extra = asWorker ? { userId: user, source: 'worker-service' } : {};
  return kind === 'for-build'
    ? { label: `createProjectForBuild ${JSON.stringify(i)}`, run: () => api.createProjectForBuild({ ...i, ...extra }) }
    : { label: `createCompleteProject ${JSON.stringify(i)}`, run: () => api.createCompleteProject({ ...i, ...extra }) };
}

/** Conflicts a sequence may legitimately meet: a key or legacy id reused with other parameters, a build finished otherwise. */
const EXPECTED = new Set(['idempotency_key_reused', 'conflict']);

describe('generated call sequences, in concurrent waves', () => {
  it.each(Array.from({ length: 12 }, (_, i) => 1000 + i))('seed %i: no server error, every result parses, every invariant holds', async (seed) => {
    const g = generator(seed);
    const user = await createUser(owner);
    const web = fromPostgres(pool, { actAs: { userId: user }, logger: null });
    const worker = fromPostgres(pool, { actAs: 'service_role', logger: null });
    const world: World = { projects: [], builds: [], legacyIds: [randomUUID(), randomUUID()] };
    const unexpected: string[] = [];

    for (let wave = 0; wave < 5; wave++) {
      const calls = Array.from({ length: 8 }, () => nextCall(g, world, user, web, worker));
      const results = await Promise.allSettled(calls.map((c) => c.run()));
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') {
          const v = r.value as { projectId?: string; buildId?: string };
          if (v.projectId && !world.projects.includes(v.projectId)) world.projects.push(v.projectId);
          if (v.buildId && !world.builds.includes(v.buildId)) world.builds.push(v.buildId);
          return;
        }
        const e = r.reason;
        if (!(e instanceof ProjectsError) || e.httpStatus >= 500 || !EXPECTED.has(e.code)) {
          unexpected.push(`${calls[i]!.label}: ${e instanceof ProjectsError ? `${e.code} ${e.httpStatus}` : ''} ${(e as Error).message}`);
        }
      });
    }
    expect(unexpected, `seed ${seed}`).toEqual([]);
    expect(world.projects.length).toBeGreaterThan(0);
    expect(await owner`select * from public.check_invariants()`).toEqual([]);
  });

  it('the worker and the web app creating the same thing at once: one project, and every answer parses', async () => {
    const { values: rounds, errors } = await settle(
      Array.from({ length: 10 }, async () => {
        const user = await createUser(owner);
        const web = fromPostgres(pool, { actAs: { userId: user }, logger: null });
        const worker = fromPostgres(pool, { actAs: 'service_role', logger: null });
        const [w, a] = await Promise.all([
          worker.createProjectForBuild({ userId: user, prompt: 'a todo app', source: 'worker-service' }),
          web.createCompleteProject({ prompt: 'a todo app' }),
        ]);
        return { w, a };
      }),
    );
    expect(errors).toEqual([]);
    for (const { w, a } of rounds) {
      expect(a.projectId).toBe(w.projectId);
      expect(a.created !== w.created).toBe(true);
      if (!a.created) expect(a.versionId).toBeNull();
    }
  });

  it('a project whose version was discarded by a newer build answers versionId null, and it parses', async () => {
    const user = await createUser(owner);
    const web = fromPostgres(pool, { actAs: { userId: user }, logger: null });
    const first = await web.createCompleteProject({ prompt: 'a landing page' });
    await web.startBuild({ projectId: first.projectId, prompt: 'a darker landing page' });
    const again = await web.createCompleteProject({ prompt: 'a landing page' });
    expect(again).toMatchObject({ projectId: first.projectId, created: false, versionId: null, projectStatus: 'building' });
  });
});
