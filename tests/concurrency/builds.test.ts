/**
 * The build lifecycle under real concurrency: starts racing on one project,
 * completions arriving in random order with random outcomes, and
 * simultaneous get-or-create calls for one client id (a chat opened in three
 * tabs at once: each must get the one client, none a 23505).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromPostgres } from '../../src/index.ts';
import { connect, createUser, type Sql } from '../helpers/db.ts';
import { describeErrors, openPool, settle } from '../helpers/pool.ts';

let owner: Sql;
let pool: Sql;

beforeAll(async () => {
  owner = connect(2);
  pool = await openPool(30);
});
afterAll(async () => {
  await pool.end();
  await owner.end();
});

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

describe('10 builds started at once on one project, completed in random order', () => {
  it.each([1, 2, 3])('round %i: zero errors, one build not superseded, the project matches it', async () => {
    const user = await createUser(owner);
    const service = fromPostgres(pool, { actAs: 'service_role', logger: null });
    const created = await service.createCompleteProject({ userId: user, name: 'Contended' });

    const starts = await settle(Array.from({ length: 10 }, (_, i) => service.startBuild({ projectId: created.projectId, prompt: `change ${i}` })));
    expect(starts.errors, describeErrors(starts.errors)).toEqual([]);
    expect(new Set(starts.values.map((s) => s.buildId)).size).toBe(10);
    const inFlight = await owner<{ build_id: string }[]>`
      select build_id from public.project_build_metrics where project_id = ${created.projectId} and status = 'started'`;
    expect(inFlight).toHaveLength(1);
    const [project] = await owner<{ current_build_id: string }[]>`select current_build_id from public.projects where id = ${created.projectId}`;
    expect(project!.current_build_id).toBe(inFlight[0]!.build_id);

    const outcomes = ['completed', 'failed', 'canceled'] as const;
    const all = [created.buildId, ...starts.values.map((s) => s.buildId)];
    const plan = shuffle(all).map((buildId) => ({ buildId, status: outcomes[Math.floor(Math.random() * 3)]! }));
    const completions = await settle(plan.map((p) => service.completeBuild(p)));
    expect(completions.errors, describeErrors(completions.errors)).toEqual([]);

    const builds = await owner<{ build_id: string; status: string }[]>`
      select build_id, status from public.project_build_metrics where project_id = ${created.projectId}`;
    const live = builds.filter((b) => b.status !== 'superseded');
    expect(live).toHaveLength(1);
    const winner = plan.find((p) => p.buildId === live[0]!.build_id)!;
    expect(live[0]!.status).toBe(winner.status);

    const [state] = await owner<{ build_status: string; current_build_id: string; version_status: string | null }[]>`
      select p.build_status, p.current_build_id, v.status as version_status
        from public.projects p left join public.project_versions v on v.version_id = p.current_version_id
       where p.id = ${created.projectId}`;
    expect(state!.current_build_id).toBe(winner.buildId);
    expect(state!.build_status).toBe({ completed: 'deployed', failed: 'failed', canceled: 'canceled' }[winner.status]);
    expect(state!.version_status).toBe(winner.status === 'completed' ? 'deployed' : null);
    expect(await owner`select count(*)::int as n from public.project_versions where project_id = ${created.projectId}`).toEqual([
      { n: winner.status === 'completed' ? 1 : 0 },
    ]);
    expect(await owner`select * from public.check_invariants()`).toEqual([]);
  });

  it('starts and completions interleaved at random: zero errors and every invariant holds', async () => {
    const user = await createUser(owner);
    const service = fromPostgres(pool, { actAs: 'service_role', logger: null });
    const created = await service.createProjectForBuild({ userId: user, name: 'Interleaved' });
    const started: string[] = [created.buildId];
    const calls: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      calls.push(service.startBuild({ projectId: created.projectId }).then((s) => started.push(s.buildId)));
      const target = started[Math.floor(Math.random() * started.length)]!;
      calls.push(service.completeBuild({ buildId: target, status: 'completed' }));
    }
    const { errors } = await settle(calls);
    expect(errors, describeErrors(errors)).toEqual([]);
    expect(await owner`select * from public.check_invariants()`).toEqual([]);
  });
});

describe('get_or_create_client for one chat id at once (a chat opened in several tabs)', () => {
  it.each([3, 30])('%i simultaneous calls: all succeed, one created, one row', async (n) => {
    const user = await createUser(owner);
    const api = fromPostgres(pool, { actAs: { userId: user }, logger: null });
    const id = `chat_${randomUUID().replaceAll('-', '')}`;
    const { values, errors } = await settle(
      Array.from({ length: n }, (_, i) => api.getOrCreateClient({ id, name: `Client ${i}`, email: `c${i}@example.test` })),
    );
    expect(errors, describeErrors(errors)).toEqual([]);
    expect(values.filter((v) => v.created)).toHaveLength(1);
    expect(new Set(values.map((v) => `${v.name}|${v.email}`)).size).toBe(1);
    expect(await owner`select count(*)::int as n from public.clients where id = ${id}`).toEqual([{ n: 1 }]);
  });
});
