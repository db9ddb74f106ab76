/**
 * The migration runner on a database of its own: it fails loudly when an index
 * of the project's schemas is left INVALID (what a failed `create index
 * concurrently` leaves), and the lint refuses the statement that would hide one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrationFindings } from '../scripts/lib/migrate.ts';
import { connect, createScratchDatabase, type ScratchDatabase, type Sql } from './helpers/db.ts';

let admin: Sql;
let scratch: ScratchDatabase;

beforeAll(async () => {
  admin = connect(1);
  scratch = await createScratchDatabase(admin, 'migrate');
});
afterAll(async () => {
  await scratch.drop();
  await admin.end();
});

describe('the migration runner', () => {
  it('fails naming the index when a failed concurrent build has left it invalid, and passes once it is rebuilt', async () => {
    const { url, sql: db } = scratch;
    await migrate(url, () => undefined);
    await db`create table public.scratch (v int)`;
    await db`insert into public.scratch values (1), (1)`;
    // Duplicates make the unique build fail after the index was created: it stays, invalid.
    await expect(db`create unique index concurrently scratch_v_key on public.scratch (v)`).rejects.toMatchObject({ code: '23505' });

    await expect(migrate(url, () => undefined)).rejects.toThrow(/invalid index\(es\): public\.scratch_v_key\b.*drop index concurrently/s);

    await db`drop index concurrently public.scratch_v_key`;
    await db`delete from public.scratch`;
    await db`create unique index concurrently scratch_v_key on public.scratch (v)`;
    await expect(migrate(url, () => undefined)).resolves.toBeUndefined();
  });
});

describe('the migration rules of npm run lint', () => {
  it('refuse `create index concurrently if not exists` in the up part, however it is spelled', () => {
    const up = (stmt: string) => `-- migrate:up transaction:false\n${stmt}\n-- migrate:down\ndrop index x;\n`;
    expect(migrationFindings('a.sql', up('create index concurrently if not exists x on t (a);'))).toHaveLength(1);
    expect(migrationFindings('a.sql', up('CREATE UNIQUE INDEX\n  CONCURRENTLY IF NOT EXISTS x ON t (a);'))).toHaveLength(1);
    expect(migrationFindings('a.sql', up('create index concurrently x on t (a);'))).toEqual([]);
    expect(migrationFindings('a.sql', up('-- not: create index concurrently if not exists\ncreate index x on t (a);'))).toEqual([]);
  });
});
