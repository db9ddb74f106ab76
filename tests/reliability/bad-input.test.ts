/**
 * Bad input: a corpus of bad values through SQL, the SDK and the
 * edge functions. Every case gets a typed error with a stable code, and the
 * tables hold exactly the same rows after the whole corpus.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProjectsError, ValidationError, fromPostgres, type ProjectsApi } from '../../src/index.ts';
import { actAs, asUser, connect, createUser, first, service, type Sql, type Tx } from '../helpers/db.ts';
import { KEYS, sessionFor, startEdgeRuntime, type EdgeRuntime } from '../helpers/edge.ts';

// Each table and its owner column: the corpus acts as one user (files run in parallel on one database).
const TABLES: Record<string, string> = {
  projects: 'user_id', project_build_metrics: 'user_id', project_versions: 'user_id', ai_time_sessions: 'user_id',
  project_events: 'user_id', idempotency_keys: 'user_id', clients: 'user_id',
};
const TEN_MB = 'p'.repeat(10 * 1024 * 1024);
const INJECTION = "x'); delete from public.projects; --";

let sql: Sql;
let edge: EdgeRuntime;
let user: string;
let projectId: string;
let buildId: string;
let userApi: ProjectsApi;
let serviceApi: ProjectsApi;
let before: Record<string, number>;

async function counts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [t, col] of Object.entries(TABLES)) {
    out[t] = first(await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from public.${t} where ${col} = $1`, [user])).n;
  }
  return out;
}

beforeAll(async () => {
  sql = connect(3);
  edge = await startEdgeRuntime();
  user = await createUser(sql);
  userApi = fromPostgres(sql, { actAs: { userId: user }, logger: null });
  serviceApi = fromPostgres(sql, { actAs: 'service_role', logger: null });
  const p = await userApi.createProjectForBuild({ name: 'Target' });
  projectId = p.projectId;
  buildId = p.buildId;
  before = await counts();
}, 90_000);
afterAll(async () => {
  await edge?.stop();
  await sql?.end();
});

// ---- the corpus ------------------------------------------------------------------
const badNames: [string, unknown][] = [
  ['null', null], ['empty', ''], ['spaces', '   '], ['tab only', '\t'], ['121 characters', 'n'.repeat(121)],
  ['NUL', 'a\u0000b'], ['zero-width space', '\u200b'], ['bidi override', 'a\u202eb'], ['newline', 'a\nb'], ['bell', 'a\u0007b'],
  ['10 MB', TEN_MB], ['BOM', '\ufeffname'],
];
const badFrameworks: [string, unknown][] = [
  ['null', null], ['empty', ''], ['capitalised', 'React'], ['unknown', 'cobol'], ['injection', INJECTION], ['spaces', ' react '],
];
const badPrompts: [string, unknown][] = [['empty', ''], ['whitespace', ' \n\t '], ['100 001 characters', 'p'.repeat(100_001)], ['10 MB', TEN_MB], ['NUL', 'a\u0000']];
const badKeys: [string, unknown][] = [
  ['empty', ''], ['leading space', ' k'], ['trailing space', 'k '], ['256 characters', 'k'.repeat(256)], ['non-ASCII', 'ключ'], ['newline', 'a\nb'],
];
const badUuids: [string, unknown][] = [['not a uuid', 'not-a-uuid'], ['empty', ''], ['injection', "1' or '1'='1"], ['too long', `${'a'.repeat(8)}-aaaa-aaaa-aaaa-${'a'.repeat(13)}`]];
const badBuildIds: [string, unknown][] = [
  ['empty', ''], ['short', 'x'], ['lowercase', '01arz3ndektsv4rrffq69g5fav'], ['27 characters', '01ARZ3NDEKTSV4RRFFQ69G5FAVX'],
  ['with I', '01ARZ3NDEKTSV4RRFFQ69G5FAI'], ['overflow', '81ARZ3NDEKTSV4RRFFQ69G5FAV'], ['injection', "01ARZ'; drop table x; --"],
];
const badStatuses: [string, unknown][] = [['unknown', 'done'], ['empty', ''], ['not final', 'building'], ['injection', "completed'; --"], ['punctuated', 'COMPLETED!']];
const badClients: [string, Record<string, unknown>][] = [
  ['id with a space', { id: 'has space', name: 'x' }], ['empty id', { id: '', name: 'x' }], ['129-character id', { id: 'i'.repeat(129), name: 'x' }],
  ['blank name', { id: 'ok-1', name: '  ' }], ['bad email', { id: 'ok-2', name: 'x', email: 'nope' }], ['bad phone', { id: 'ok-3', name: 'x', phone: 'call me' }],
  ['injection id', { id: INJECTION, name: 'x' }],
];

/** SQLSTATEs a bad value may legitimately get: our 22023, or PostgreSQL's own input errors. */
const INPUT_STATES = new Set(['22023', '22P02', '22021']);

async function sqlstate(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return String((e as { code?: string }).code);
  }
  return 'no error';
}

describe('through SQL', () => {
  const cases: [string, (tx: Tx) => Promise<unknown>][] = [
    ...badNames.map(([d, v]): [string, (tx: Tx) => Promise<unknown>] => [`name: ${d}`, (tx: Tx) => tx`select * from public.create_complete_project(p_name => ${v as string})`]),
    ...badFrameworks.map(([d, v]): [string, (tx: Tx) => Promise<unknown>] => [`framework: ${d}`, (tx: Tx) => tx`select * from public.create_complete_project(p_name => 'x', p_framework => ${v as string})`]),
    ...badPrompts.map(([d, v]): [string, (tx: Tx) => Promise<unknown>] => [`prompt: ${d}`, (tx: Tx) => tx`select * from public.create_project_for_build(p_name => 'x', p_prompt => ${v as string})`]),
    ...badKeys.map(([d, v]): [string, (tx: Tx) => Promise<unknown>] => [`key: ${d}`, (tx: Tx) => tx`select * from public.create_complete_project(p_name => 'x', p_idempotency_key => ${v as string})`]),
    ...badUuids.map(([d, v]): [string, (tx: Tx) => Promise<unknown>] => [`project id: ${d}`, (tx: Tx) => tx`select * from public.start_build(p_project_id => ${v as string}::text::uuid)`]),
    ...badBuildIds.map(([d, v]): [string, (tx: Tx) => Promise<unknown>] => [`build id: ${d}`, (tx: Tx) => tx`select * from public.get_build_status(${v as string})`]),
    ...badClients.map(([d, v]): [string, (tx: Tx) => Promise<unknown>] => [`client: ${d}`, (tx: Tx) => tx`select * from public.get_or_create_client(p_id => ${v.id as string}, p_name => ${v.name as string}, p_email => ${(v.email ?? null) as string}, p_phone => ${(v.phone ?? null) as string})`]),
  ];
  it.each(cases)('%s → an input SQLSTATE, nothing written', async (_d, call) => {
    const code = await sqlstate(actAs(sql, asUser(user), call));
    expect(INPUT_STATES, code).toContain(code);
  });

  it.each([...badStatuses, ['null', null] as [string, unknown]])('status: %s → 22023 for the worker', async (_d, v) => {
    expect(await sqlstate(actAs(sql, service, (tx) => tx`select * from public.complete_build(p_build_id => ${buildId}, p_status => ${v as string})`))).toBe('22023');
  });
  it.each(badBuildIds)('complete_build build id: %s → 22023', async (_d, v) => {
    expect(await sqlstate(actAs(sql, service, (tx) => tx`select * from public.complete_build(p_build_id => ${v as string}, p_status => 'completed')`))).toMatch(/^22(023|021)$/);
  });
});

describe('through the SDK', () => {
  const sdkCases: [string, () => Promise<unknown>][] = [
    ...badNames.map(([d, v]): [string, () => Promise<unknown>] => [`name: ${d}`, () => userApi.createCompleteProject({ name: v as string })]),
    ...badFrameworks.map(([d, v]): [string, () => Promise<unknown>] => [`framework: ${d}`, () => userApi.createCompleteProject({ name: 'x', framework: v as string })]),
    ...badPrompts.map(([d, v]): [string, () => Promise<unknown>] => [`prompt: ${d}`, () => userApi.createProjectForBuild({ name: 'x', prompt: v as string })]),
    ...badKeys.map(([d, v]): [string, () => Promise<unknown>] => [`key: ${d}`, () => userApi.createCompleteProject({ name: 'x', idempotencyKey: v as string })]),
    ...badUuids.map(([d, v]): [string, () => Promise<unknown>] => [`project id: ${d}`, () => userApi.startBuild({ projectId: v as string })]),
    ...badBuildIds.map(([d, v]): [string, () => Promise<unknown>] => [`build id: ${d}`, () => userApi.getBuildStatus(v as string)]),
    ...badStatuses.map(([d, v]): [string, () => Promise<unknown>] => [`status: ${d}`, () => serviceApi.completeBuild({ buildId, status: v as string })]),
    ...badClients.map(([d, v]): [string, () => Promise<unknown>] => [`client: ${d}`, () => userApi.getOrCreateClient(v as never)]),
    ['name as a number', () => userApi.createCompleteProject({ name: 42 as never })],
    ['framework as an array', () => userApi.createCompleteProject({ framework: ['react'] as never })],
    ['prompt as an object', () => userApi.createCompleteProject({ prompt: { text: 'x' } as never })],
    ['an extra field', () => userApi.createCompleteProject({ name: 'x', owner: 'me' } as never)],
    ['input as a string', () => userApi.createCompleteProject('x' as never)],
    ['user id as a number', () => serviceApi.createCompleteProject({ userId: 7 as never, name: 'x' })],
    ['build id as a number', () => userApi.getBuildStatus(12345 as never)],
    ['status as a boolean', () => serviceApi.completeBuild({ buildId, status: true as never })],
    ['error message of 10 001 characters', () => serviceApi.completeBuild({ buildId, status: 'failed', errorMessage: 'e'.repeat(10_001) })],
  ];
  it.each(sdkCases)('%s → ValidationError (invalid_input)', async (_d, call) => {
    const err = await call().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'invalid_input', httpStatus: 400 });
    expect((err as ProjectsError).referenceId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  });
});

describe('through the edge functions', () => {
  const post = (name: string, body: string, token: string, type = 'application/json') =>
    fetch(`${edge.url}/functions/v1/${name}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type }, body });
  const bodies: [string, string, string, number][] = [
    ...badNames.filter(([d]) => d !== '10 MB').map(([d, v]): [string, string, string, number] => [`name: ${d}`, 'create-project', JSON.stringify({ name: v }), 400]),
    ...badFrameworks.map(([d, v]): [string, string, string, number] => [`framework: ${d}`, 'create-project', JSON.stringify({ name: 'x', framework: v }), 400]),
    ...badPrompts.filter(([d]) => d !== '10 MB').map(([d, v]): [string, string, string, number] => [`prompt: ${d}`, 'create-project', JSON.stringify({ name: 'x', prompt: v }), 400]),
    ...badKeys.map(([d, v]): [string, string, string, number] => [`key: ${d}`, 'create-project', JSON.stringify({ name: 'x', idempotencyKey: v }), 400]),
    ...badUuids.map(([d, v]): [string, string, string, number] => [`project id: ${d}`, 'start-build', JSON.stringify({ projectId: v }), 400]),
    ...badClients.map(([d, v]): [string, string, string, number] => [`client: ${d}`, 'get-or-create-client', JSON.stringify(v), 400]),
    ['10 MB prompt', 'create-project', JSON.stringify({ name: 'x', prompt: TEN_MB }), 413],
    ['number as a string where a name is expected', 'create-project', '{"name": 123}', 400],
    ['numbers as strings for a uuid', 'start-build', '{"projectId": "12345"}', 400],
    ['boolean name', 'create-project', '{"name": true}', 400],
    ['null body', 'create-project', 'null', 400],
    ['array body', 'create-project', '[]', 400],
    ['string body', 'create-project', '"name"', 400],
    ['truncated JSON', 'create-project', '{"name": "x"', 400],
    ['extra field', 'create-project', '{"name": "x", "ownerId": "someone"}', 400],
    ['prototype pollution', 'create-project', '{"name": "x", "__proto__": {"admin": true}}', 400],
  ];
  it.each(bodies)('%s → HTTP %s with a code and a reference id', async (_d, fn, body, status) => {
    const res = await post(fn, body, sessionFor(user));
    expect(res.status).toBe(status);
    const json = (await res.json()) as { code: string; referenceId: string };
    expect(json.code).toMatch(/^[a-z_]+$/);
    expect(json.referenceId).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
  });
  it.each(badStatuses)('complete-build status: %s → 400', async (_d, v) => {
    const res = await post('complete-build', JSON.stringify({ buildId, status: v }), KEYS.serviceRoleKey);
    expect(res.status).toBe(400);
  });
  it('a form-encoded body → 415', async () => {
    const res = await post('create-project', 'name=x', sessionFor(user), 'application/x-www-form-urlencoded');
    expect(res.status).toBe(415);
  });
});

describe('after the whole corpus', () => {
  it('every table holds exactly the rows it held before', async () => {
    expect(await counts()).toEqual(before);
    expect(before.projects).toBe(1);
    expect(await sql`select * from public.check_invariants()`).toEqual([]);
    void projectId;
  });
});
