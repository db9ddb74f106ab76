import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../scripts/lib/migrate.ts';
import { requireDisposable } from '../scripts/lib/test-database.ts';
import { actAs, asUser, connect, createScratchDatabase, createUser, type Sql } from './helpers/db.ts';

let sql: Sql;
beforeAll(() => {
  sql = connect(2);
});
afterAll(() => sql.end());

describe('the test pipeline', () => {
  it('runs against a migrated database with every migration applied', async () => {
    const files = (await import('node:fs')).readdirSync('sql/migrations').filter((f) => f.endsWith('.sql'));
    const rows = await sql<{ version: string }[]>`select version from dbmate.schema_migrations order by version`;
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.split('_')[0]).sort());
  });

  it('has the Supabase roles and auth functions of the compatibility bootstrap', async () => {
    const roles = await sql<{ rolname: string }[]>`
      select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role') order by 1`;
    expect(roles.map((r) => r.rolname)).toEqual(['anon', 'authenticated', 'service_role']);
    const user = await createUser(sql);
    const [row] = await actAs(sql, asUser(user), (tx) => tx<{ uid: string; role: string }[]>`
      select auth.uid() as uid, auth.role() as role`);
    expect(row).toEqual({ uid: user, role: 'authenticated' });
  });
});

describe('migrating a database migrated when dbmate kept its table in public', () => {
  it('moves public.schema_migrations out of the exposed schema, keeps every row, and applies nothing again', async () => {
    // A database of its own, so no other suite sees the migrations table move.
    const scratch = await createScratchDatabase(sql, 'projects_core_migrate');
    const other = scratch.sql;
    try {
      await migrate(scratch.url, () => undefined);
      const before = await other`select version from dbmate.schema_migrations order by version`;
      await other`alter table dbmate.schema_migrations set schema public`;
      const lines: string[] = [];
      await migrate(scratch.url, (m) => lines.push(m));
      expect(lines).toContain('migrations: already up to date');
      const [where] = await other<{ old: string | null; current: string | null }[]>`
        select to_regclass('public.schema_migrations')::text as old, to_regclass('dbmate.schema_migrations')::text as current`;
      expect(where).toEqual({ old: null, current: 'dbmate.schema_migrations' });
      expect(await other`select version from dbmate.schema_migrations order by version`).toEqual(before);
      expect(before.length).toBeGreaterThan(0);
    } finally {
      await scratch.drop();
    }
  }, 60_000);
});

describe('a database npm test may write to', () => {
  it('is refused unless it says it is disposable (a database comment starting with "disposable")', async () => {
    const saved = process.env.TEST_DATABASE_DISPOSABLE;
    delete process.env.TEST_DATABASE_DISPOSABLE;
    try {
      // In a transaction that is rolled back: the database's own comment stays as it was.
      const outcome = await sql
        .begin(async (tx) => {
          const db = tx as unknown as Sql;
          await tx.unsafe(`comment on database ${await currentDatabase()} is null`);
          const unmarked = await requireDisposable(db).then(() => 'accepted', (e: Error) => e.message);
          await tx.unsafe(`comment on database ${await currentDatabase()} is 'disposable: a scratch database'`);
          const marked = await requireDisposable(db).then(() => 'accepted', (e: Error) => e.message);
          process.env.TEST_DATABASE_DISPOSABLE = '1';
          await tx.unsafe(`comment on database ${await currentDatabase()} is null`);
          const told = await requireDisposable(db).then(() => 'accepted', (e: Error) => e.message);
          throw Object.assign(new Error('roll back'), { outcome: { unmarked, marked, told } });
        })
        .catch((e: { outcome?: unknown }) => e.outcome);
      expect(outcome).toEqual({ unmarked: expect.stringMatching(/does not say it is disposable/), marked: 'accepted', told: 'accepted' });
    } finally {
      if (saved === undefined) delete process.env.TEST_DATABASE_DISPOSABLE;
      else process.env.TEST_DATABASE_DISPOSABLE = saved;
    }
  });
});

async function currentDatabase(): Promise<string> {
  const [row] = await sql<{ name: string }[]>`select quote_ident(current_database()) as name`;
  return row!.name;
}
