/**
 * Behind a transaction-mode pooler (PgBouncer in pool_mode = transaction, as
 * Supabase's pooler on port 6543), a server connection keeps whatever an
 * earlier client set at session level. Here every client shares ONE server
 * connection (POOLER_SINGLE_URL), so the test knows its calls run where the
 * other session left its claims: who a call acts for must come only from
 * the call's own transaction.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { createPostgresClient, fromPostgres } from '../../src/index.ts';
import { connect, createUser, first, type Sql } from '../helpers/db.ts';
import { poolerUrl } from '../helpers/pool.ts';

let owner: Sql;
let intruder: Sql;
let pooled: Sql;
let alice: string;
let bob: string;

beforeAll(async () => {
  owner = connect(2);
  intruder = postgres(poolerUrl('single'), { max: 1, prepare: false, onnotice: () => undefined });
  pooled = createPostgresClient(poolerUrl('single'), { max: 3, pooler: true });
  alice = await createUser(owner);
  bob = await createUser(owner);
  // Bob's session leaves his identity on the pooled server connection, at session level,
  // in every setting Supabase's auth.* functions read.
  const claims = JSON.stringify({ sub: bob, role: 'authenticated' });
  await intruder`select set_config('request.jwt.claim.sub', ${bob}, false), set_config('request.jwt.claim.role', 'authenticated', false),
                        set_config('request.jwt.claim', ${claims}, false), set_config('request.jwt.claims', ${claims}, false)`;
});
afterAll(async () => {
  await intruder?.end();
  await pooled?.end();
  await owner?.end();
});

const leftOnConnection = async () =>
  first(await pooled<{ sub: string; claims: string }[]>`
    select current_setting('request.jwt.claim.sub', true) as sub, current_setting('request.jwt.claims', true) as claims`);

describe('session-level claims left on a pooled connection', () => {
  it('stay on the connection the next client gets (the pooler resets nothing)', async () => {
    expect((await leftOnConnection()).sub).toBe(bob);
  });

  it('would make Supabase\'s auth.uid() answer for the intruder even inside a call that sets request.jwt.claims', async () => {
    const [, rows] = (await pooled.unsafe(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '${JSON.stringify({ sub: alice, role: 'authenticated' })}', true);
       select auth.uid()::text as uid`,
    )) as unknown as [unknown, { uid: string }[]];
    expect(rows[0]!.uid).toBe(bob);
  });

  it('are ignored by the SDK: a call for alice creates alice\'s project, and she reads it', async () => {
    const api = fromPostgres(pooled, { actAs: { userId: alice }, logger: null });
    const created = await api.createCompleteProject({ name: 'Pooled' });
    const { user_id } = first(await owner<{ user_id: string }[]>`select user_id from public.projects where id = ${created.projectId}`);
    expect(user_id).toBe(alice);
    expect(await api.getBuildStatus(created.buildId)).toMatchObject({ buildId: created.buildId, projectId: created.projectId });
    expect((await leftOnConnection()).sub).toBe(bob); // the same tainted connection served the calls
  });

  it('are ignored by the functions themselves: they take the caller only from request.jwt.claims', async () => {
    const [, rows] = (await pooled.unsafe(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '${JSON.stringify({ sub: alice, role: 'authenticated' })}', true);
       select project_id::text from public.create_project_for_build(p_name => 'Raw call')`,
    )) as unknown as [unknown, { project_id: string }[]];
    const { user_id } = first(await owner<{ user_id: string }[]>`select user_id from public.projects where id = ${rows[0]!.project_id}`);
    expect(user_id).toBe(alice);
    expect(first(await owner<{ n: number }[]>`select count(*)::int as n from public.projects where user_id = ${bob}`).n).toBe(0);
  });
});
