/**
 * CONTRIBUTING.md's "Adding a function" checklist, checked: every function of
 * the registry (src/functions.ts) has its SQL function with the declared
 * parameters, a comment and exactly the declared grants; a pgTAP file
 * specifying it; its line in the grants suite; its SDK method; its edge
 * function (directory, index.ts, a handler built from the registry, its
 * config.toml entry) when exposed over HTTP; and its row in the docs' tables,
 * which are rendered from the registry.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { API_FUNCTIONS, HTTP_FUNCTIONS, type ApiFunction, type ApiName } from '../src/functions.ts';
import { fromSupabase, type ProjectsApi } from '../src/index.ts';
import { API_TABLES, currentTable } from '../scripts/lib/api-docs.ts';
import { connect } from './helpers/db.ts';

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const functionsDir = path.join(root, 'supabase', 'functions');
const pgtapFiles = readdirSync(path.join(root, 'supabase', 'tests')).filter((f) => f.endsWith('.test.sql') && f !== '036_grants.test.sql');
const entries = Object.entries(API_FUNCTIONS) as [ApiName, ApiFunction][];

describe('the registry of API functions', () => {
  const sql = connect(2);
  afterAll(() => sql.end());

  it('names each function once, by its SDK method', () => {
    expectTypeOf<ApiName>().toExtend<keyof ProjectsApi>();
    const api = fromSupabase({ rpc: () => Promise.resolve({ data: null, error: null, status: 200 }) });
    for (const [op] of entries) expect(typeof api[op], op).toBe('function');
    expect(new Set(entries.map(([, fn]) => fn.sql)).size).toBe(entries.length);
    expect(new Set(HTTP_FUNCTIONS).size).toBe(HTTP_FUNCTIONS.length);
  });

  describe.each(entries)('%s', (op, fn) => {
    it('is a SQL function with the declared parameters in order, a comment, stable when read-only, and EXECUTE for exactly the declared roles', async () => {
      const found = await sql<{ names: string[]; types: string[]; comment: string | null; grantees: string[] | null; volatile: boolean }[]>`
        select p.provolatile = 'v' as volatile,
               coalesce(p.proargnames[1:p.pronargs], '{}') as names,
               array(select format_type(t, null) from unnest(p.proargtypes) with ordinality as a(t, i) order by i) as types,
               obj_description(p.oid, 'pg_proc') as comment,
               (select array_agg(case when a.grantee = 0 then 'PUBLIC' else a.grantee::regrole::text end)
                  from aclexplode(p.proacl) a
                 where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner) as grantees
          from pg_proc p
         where p.pronamespace = 'public'::regnamespace and p.proname = ${fn.sql}`;
      expect(found, `public.${fn.sql}: one function of that name`).toHaveLength(1);
      const [f] = found;
      expect(f!.names).toEqual(Object.keys(fn.params));
      expect(f!.types).toEqual(Object.values(fn.params));
      expect(f!.comment, `comment on function public.${fn.sql}`).toMatch(/\S/);
      // Read-only functions are declared stable (or immutable): PostgreSQL then refuses any write in them.
      expect(f!.volatile, `public.${fn.sql} is volatile exactly when it writes`).toBe(!fn.readOnly);
      // A null proacl would mean the default grants, PUBLIC included: the grants must be explicit.
      expect([...(f!.grantees ?? [])].sort(), `grants on public.${fn.sql}`).toEqual([...fn.roles].sort());
    });

    it('is specified by a pgTAP file and listed with its signature by the grants suite', () => {
      expect(pgtapFiles.filter((file) => read(`supabase/tests/${file}`).includes(fn.sql)), `a supabase/tests file calling ${fn.sql}`).not.toEqual([]);
      expect(read('supabase/tests/036_grants.test.sql')).toContain(`'public.${fn.sql}(${Object.values(fn.params).join(',')})'`);
    });

    it.runIf(fn.http)('has its edge function: a directory with index.ts, a handler built from the registry, a config.toml entry', () => {
      const name = fn.http!.name;
      expect(read(`supabase/functions/${name}/index.ts`)).toMatch(/import \{ handler \} from '\.\/handler\.ts';\s+Deno\.serve\(handler\);/);
      expect(read(`supabase/functions/${name}/handler.ts`)).toContain(`defineHandler('${op}', {`);
      const entry = new RegExp(`^\\[functions\\.${name}\\]\\nverify_jwt = false\\nimport_map = "\\./functions/deno\\.json"$`, 'm');
      expect(read('supabase/config.toml')).toMatch(entry);
    });
  });

  it('has every edge function directory (a function Supabase would deploy) in the registry', () => {
    const dirs = readdirSync(functionsDir, { withFileTypes: true }).filter((d) => d.isDirectory() && !d.name.startsWith('_'));
    expect(dirs.map((d) => d.name).sort()).toEqual([...HTTP_FUNCTIONS].sort());
    const configured = [...read('supabase/config.toml').matchAll(/^\[functions\.([a-z0-9-]+)\]$/gm)].map((m) => m[1]);
    expect(configured.sort()).toEqual([...HTTP_FUNCTIONS].sort());
  });

  it('is the table of the API functions in docs/sql-api.md and docs/http-api.md', () => {
    for (const t of API_TABLES) expect(currentTable(t), `${t.file} (npm run docs:api rewrites it)`).toBe(t.render());
  });

  it('names in CONTRIBUTING.md only files that exist', () => {
    const checklist = read('CONTRIBUTING.md');
    const files = [...checklist.matchAll(/`((?:src|sql|supabase|tests|scripts|docs)\/[^`<>*\s]+)`/g)].map((m) => m[1]!);
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) expect(existsSync(path.join(root, file)), file).toBe(true);
  });
});
