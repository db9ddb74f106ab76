/**
 * Reads that scale out: the SDK sends build-status reads to a read replica
 * (a real PostgreSQL 15 hot standby streaming from its primary, both started
 * here) while writes stay on the primary, and a build the replica has not
 * replayed yet is read from the primary: "not yet" never becomes an error.
 */
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrimaryWithReplica, type PrimaryWithReplica } from '../../scripts/lib/replica.ts';
import { createPostgresClient, fromPostgres, type ProjectsApi } from '../../src/index.ts';
import { sessionFor, startEdgeRuntime, type EdgeRuntime } from '../helpers/edge.ts';

let cluster: PrimaryWithReplica;
let primary: postgres.Sql;
let replica: postgres.Sql;
let user: ProjectsApi;
let worker: ProjectsApi;
let userId: string;

beforeAll(async () => {
  cluster = await startPrimaryWithReplica();
  primary = createPostgresClient(cluster.primaryUrl, { max: 4 });
  replica = createPostgresClient(cluster.replicaUrl, { max: 4 });
  userId = randomUUID();
  await primary`insert into auth.users (id, email) values (${userId}, ${`${userId}@example.test`})`;
  user = fromPostgres(primary, { actAs: { userId }, read: replica, logger: null });
  worker = fromPostgres(primary, { actAs: 'service_role', logger: null });
}, 120_000);

afterAll(async () => {
  await primary?.end();
  await replica?.end();
  await cluster?.dispose();
});

/** Resolves once the replica has replayed everything the primary has written so far. */
async function replicaCaughtUp(): Promise<void> {
  const [{ lsn }] = (await primary`select pg_current_wal_lsn()::text as lsn`) as unknown as [{ lsn: string }];
  for (;;) {
    const [{ done }] = (await replica`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as done`) as unknown as [{ done: boolean }];
    if (done) return;
    await replica`select pg_sleep(0.01)`;
  }
}

describe('a read replica', () => {
  it('is a streaming hot standby of the primary', async () => {
    const [row] = await replica`select pg_is_in_recovery() as standby`;
    expect(row).toEqual({ standby: true });
    const [sender] = await primary`select count(*)::int as n from pg_stat_replication where state = 'streaming'`;
    expect(sender).toEqual({ n: 1 });
  });

  it('answers status reads while creations and completions go to the primary', async () => {
    const { buildId } = await user.createCompleteProject({ name: 'Replicated', prompt: 'a todo app' });
    await replicaCaughtUp();
    // Stop replay: from now on the replica answers with what it had, so a read that
    // shows the old status can only have come from it.
    await replica`select pg_wal_replay_pause()`;
    try {
      await worker.completeBuild({ buildId, status: 'completed' });
      expect((await user.getBuildStatus(buildId)).status).toBe('started');
      const [fresh] = await primary`select status from public.project_build_metrics where build_id = ${buildId}`;
      expect(fresh).toEqual({ status: 'completed' });
    } finally {
      await replica`select pg_wal_replay_resume()`;
    }
    const final = await user.pollBuildStatus(buildId, { initialDelayMs: 10, maxDelayMs: 50, timeoutMs: 30_000 });
    expect(final.status).toBe('completed');
  });

  it('reads a build the replica has not replayed yet from the primary: "not yet", never an error', async () => {
    await replica`select pg_wal_replay_pause()`;
    try {
      const { buildId, projectId } = await user.createCompleteProject({ name: 'Not replayed yet' });
      const [onReplica] = await replica`select count(*)::int as n from public.project_build_metrics where build_id = ${buildId}`;
      expect(onReplica).toEqual({ n: 0 });
      const status = await user.getBuildStatus(buildId);
      expect(status).toMatchObject({ buildId, projectId, status: 'started' });
      const polled = await user.pollBuildStatus(buildId, { timeoutMs: 50, initialDelayMs: 10 }).catch((e: Error) => e);
      expect(polled).toMatchObject({ code: 'poll_timeout', lastStatus: { buildId, status: 'started' } });
    } finally {
      await replica`select pg_wal_replay_resume()`;
    }
  });

  it('still answers not found for a build that exists nowhere', async () => {
    const missing = await user.getBuildStatus('01ARZ3NDEKTSV4RRFFQ69G5FAV').catch((e: Error) => e);
    expect(missing).toMatchObject({ code: 'not_found' });
  });
});

describe('the edge functions with DB_READ_URL', () => {
  let edge: EdgeRuntime;
  beforeAll(async () => {
    edge = await startEdgeRuntime({ SUPABASE_DB_URL: cluster.primaryUrl, DB_READ_URL: cluster.replicaUrl });
  }, 90_000);
  afterAll(async () => {
    await edge?.stop();
  });

  const status = async (buildId: string) => {
    const res = await fetch(`${edge.url}/functions/v1/build-status?buildId=${buildId}`, { headers: { authorization: `Bearer ${sessionFor(userId)}` } });
    return { code: res.status, body: (await res.json()) as { status?: string } };
  };

  it('answer build-status from the replica, and from the primary for a build it has not replayed yet', async () => {
    const res = await fetch(`${edge.url}/functions/v1/create-project`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${sessionFor(userId)}` },
      body: JSON.stringify({ name: 'Through the edge' }),
    });
    expect(res.status).toBe(201);
    const { buildId } = (await res.json()) as { buildId: string };
    await replicaCaughtUp();
    await replica`select pg_wal_replay_pause()`;
    try {
      await worker.completeBuild({ buildId, status: 'completed' });
      expect(await status(buildId)).toEqual({ code: 200, body: expect.objectContaining({ status: 'started' }) });
      const { buildId: unreplayed } = await user.createCompleteProject({ name: 'Edge, not replayed yet' });
      expect(await status(unreplayed)).toEqual({ code: 200, body: expect.objectContaining({ status: 'started' }) });
    } finally {
      await replica`select pg_wal_replay_resume()`;
    }
  });
});
