/**
 * The SDK's mirrors of database facts are tested equal to the database and
 * their documentation: mapWorkerStatus against map_worker_status for every
 * status, ERROR_REGISTRY against the Errors table of docs/sql-api.md.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_REGISTRY, ValidationError, WORKER_STATUS_MAP, mapWorkerStatus } from '../../src/index.ts';
import { connect, sqlstateOf, type Sql } from '../helpers/db.ts';

let sql: Sql;
beforeAll(() => {
  sql = connect(1);
});
afterAll(() => sql.end());

describe('mapWorkerStatus', () => {
  it('knows exactly the statuses of public.worker_status_map, and maps each the same way', async () => {
    const rows = await sql<{ worker_status: string; project_status: string }[]>`
      select worker_status, project_status from public.worker_status_map order by 1`;
    expect(Object.keys(WORKER_STATUS_MAP).sort()).toEqual(rows.map((r) => r.worker_status));
    for (const { worker_status } of rows) {
      for (const variant of [worker_status, worker_status.toUpperCase(), ` ${worker_status} `]) {
        const [db] = await sql<{ s: string }[]>`select public.map_worker_status(${variant}) as s`;
        expect(mapWorkerStatus(variant), variant).toBe(db!.s);
      }
    }
  });

  it('refuses unknown statuses in both, never defaulting', async () => {
    for (const unknown of ['done', '', 'queued!', 'constructor', '__proto__', 'toString']) {
      expect(await sqlstateOf(sql`select public.map_worker_status(${unknown})`), unknown).toBe('22023');
      expect(() => mapWorkerStatus(unknown), unknown).toThrow(ValidationError);
    }
  });
});

describe('the error registry', () => {
  it('matches the Errors table of docs/sql-api.md row for row', () => {
    const doc = readFileSync('docs/sql-api.md', 'utf8');
    const start = doc.indexOf('\n## Errors\n');
    expect(start).toBeGreaterThan(-1);
    const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
    const rows = section
      .split('\n')
      .filter((l) => /^\| `[0-9A-Z]{5}`/.test(l))
      .map((l) => l.split('|').map((c) => c.trim()));
    const documented: Record<string, { code: string; cls: string }> = {};
    for (const cells of rows) {
      const states = [...cells[1]!.matchAll(/`([0-9A-Z]{5})`/g)].map((m) => m[1]!);
      const code = /`([a-z_]+)`/.exec(cells[2]!)?.[1];
      const cls = /`([A-Za-z]+Error)`/.exec(cells[5]!)?.[1];
      for (const s of states) documented[s] = { code: code!, cls: cls! };
    }
    const classOf = { validation: 'ValidationError', permission: 'PermissionError', not_found: 'NotFoundError', conflict: 'ConflictError', retryable: 'RetryableError', internal: 'ProjectsError' };
    const expected = Object.fromEntries(
      Object.entries(ERROR_REGISTRY).map(([s, e]) => [s, { code: e.code, cls: classOf[e.kind] }]),
    );
    expect(documented).toEqual(expected);
  });

  it('covers every SQLSTATE the migrations raise', () => {
    const raised = new Set<string>();
    for (const f of readdirSync('sql/migrations')) {
      const text = readFileSync(`sql/migrations/${f}`, 'utf8');
      for (const m of text.matchAll(/errcode = '([0-9A-Z]{5})'/g)) raised.add(m[1]!);
    }
    // 22003 is generate_ulid's overflow after 2^80 ULIDs in one millisecond: invalid_input by class.
    raised.delete('22003');
    expect([...raised].filter((s) => !(s in ERROR_REGISTRY))).toEqual([]);
  });
});
