/**
 * Replays never write: a replay by key, a duplicate absorbed by the window and
 * a replayed start_build run as read-only transactions would (no transaction
 * id, so no commit record and no WAL flush), and are still counted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs, asUser, connect, createUser, first, service, type Sql, type Tx } from '../helpers/db.ts';

let sql: Sql;
let user: string;
beforeAll(async () => {
  sql = connect(2);
  user = await createUser(sql);
});
afterAll(() => sql.end());

/** Runs the call as the user, and says whether its transaction got a transaction id. */
async function writes(call: (tx: Tx) => Promise<unknown>, who = asUser(user)): Promise<boolean> {
  return actAs(sql, who, async (tx) => {
    await call(tx);
    return first(await tx<{ xid: string | null }[]>`select pg_current_xact_id_if_assigned()::text as xid`).xid !== null;
  });
}

const replays = async () =>
  Number(first(await sql<{ n: string }[]>`select case when is_called then last_value else 0 end as n from private.idempotent_replays`).n);

describe('replays', () => {
  it('a replay by key assigns no transaction id, and is counted', async () => {
    const create = (tx: Tx) => tx`select * from public.create_complete_project(p_name => 'Replayed', p_idempotency_key => 'replay-1')`;
    expect(await writes(create)).toBe(true);
    const before = await replays();
    expect(await writes(create)).toBe(false);
    expect(await replays()).toBeGreaterThan(before);
  });

  it('a duplicate absorbed by the window assigns no transaction id', async () => {
    const create = (tx: Tx) => tx`select * from public.create_project_for_build(p_name => 'Windowed replay', p_prompt => 'same')`;
    expect(await writes(create)).toBe(true);
    expect(await writes(create)).toBe(false);
  });

  it('a replayed start_build assigns no transaction id', async () => {
    const { project_id } = first(await actAs(sql, service, (tx) =>
      tx<{ project_id: string }[]>`select project_id from public.create_project_for_build(p_user_id => ${user}, p_name => 'Rebuilt')`));
    const start = (tx: Tx) => tx`select * from public.start_build(p_project_id => ${project_id}, p_idempotency_key => 'start-replay')`;
    expect(await writes(start)).toBe(true);
    expect(await writes(start)).toBe(false);
  });
});
