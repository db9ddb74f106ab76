import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs, asUser, connect, createUser, type Sql } from './helpers/db.ts';

let sql: Sql;
beforeAll(() => {
  sql = connect(2);
});
afterAll(() => sql.end());

describe('the test pipeline', () => {
  it('runs against a migrated database with every migration applied', async () => {
    const files = (await import('node:fs')).readdirSync('sql/migrations').filter((f) => f.endsWith('.sql'));
    const rows = await sql<{ version: string }[]>`select version from public.schema_migrations order by version`;
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
