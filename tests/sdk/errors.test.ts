/**
 * toProjectsError builds the same typed error from every shape a failure
 * arrives in: a PostgREST body, a postgres.js error, an edge function's body,
 * a network failure.
 */
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, PermissionError, ProjectsError, RetryableError, ValidationError, toProjectsError } from '../../src/index.ts';

const REF = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('toProjectsError', () => {
  it.each([
    [{ code: 'PT404', message: 'build not found', details: null, hint: null }, 404, NotFoundError, 'not_found'],
    [{ code: '55P03', message: 'lock', details: null, hint: 'Retry' }, 500, RetryableError, 'lock_timeout'],
    [{ code: '40P01', message: 'deadlock detected' }, 500, RetryableError, 'deadlock'],
    [{ code: '22P02', message: 'invalid input syntax for type uuid' }, 400, ValidationError, 'invalid_input'],
    [{ code: '23505', message: 'duplicate key' }, 409, ConflictError, 'duplicate'],
    [{ code: 'PGRST202', message: 'Could not find the function' }, 404, ProjectsError, 'function_not_found'],
    [{ code: 'XX000', message: 'internal' }, 500, ProjectsError, 'internal'],
  ] as const)('a PostgREST body %o (HTTP %i) → %o', (body, status, cls, code) => {
    const err = toProjectsError(body, status);
    expect(err).toBeInstanceOf(cls);
    expect(err.code).toBe(code);
    expect(err.sqlstate).toBe(body.code);
  });

  it('a postgres.js error keeps its detail and hint', () => {
    const err = toProjectsError(Object.assign(new Error('p_name must be 1 to 120 characters'), { code: '22023', detail: 'length 0', hint: 'fix it' }));
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ details: 'length 0', hint: 'fix it', sqlstate: '22023' });
  });

  it.each([
    [{ error: 'build not found', code: 'not_found', referenceId: REF }, 404, NotFoundError, 'PT404'],
    [{ error: 'key reused', code: 'idempotency_key_reused', referenceId: REF }, 422, ConflictError, 'PT422'],
    [{ error: 'busy', code: 'lock_timeout', referenceId: REF }, 503, RetryableError, '55P03'],
    [{ error: 'send a JWT', code: 'unauthorized', referenceId: REF }, 401, PermissionError, null],
    [{ error: 'bad JSON', code: 'invalid_json', referenceId: REF }, 400, ValidationError, null],
  ] as const)('an edge function body %o (HTTP %i) → %o, keeping the server\'s reference id', (body, status, cls, sqlstate) => {
    const err = toProjectsError(body, status);
    expect(err).toBeInstanceOf(cls);
    expect(err.sqlstate).toBe(sqlstate);
    expect(err.referenceId).toBe(REF);
    expect(err.message).toBe(body.error);
  });

  it('an edge function shedding load (503 too_many_requests) is retryable, with its code', () => {
    const err = toProjectsError({ error: 'too many requests in flight for this caller', code: 'too_many_requests', referenceId: '01JZ0000000000000000000000' }, 503);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'too_many_requests', httpStatus: 503, referenceId: '01JZ0000000000000000000000' });
  });

  it('a network failure is retryable with an unknown outcome', () => {
    expect(toProjectsError(new TypeError('fetch failed'))).toBeInstanceOf(RetryableError);
    expect(toProjectsError({ message: 'FetchError: request failed', code: '' }, 0)).toMatchObject({ code: 'network' });
    expect(toProjectsError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).toMatchObject({ code: 'network' });
  });

  it('a refused connection is unavailable: retryable, and the call did not run', () => {
    expect(toProjectsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'unavailable', httpStatus: 503 });
    // supabase-js: status 0, and the cause in the details
    const refused = { message: 'TypeError: fetch failed', details: 'TypeError: fetch failed\n\nCaused by: Error: connect ECONNREFUSED 127.0.0.1:54321', code: '' };
    const err = toProjectsError(refused, 0);
    expect(err).toBeInstanceOf(RetryableError);
    expect(err.code).toBe('unavailable');
    expect(toProjectsError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })).code).toBe('unavailable');
  });

  it('the database refusing the connection\'s password is an auth failure, neither network nor unavailable', () => {
    const err = toProjectsError(Object.assign(new Error('password authentication failed for user "postgres"'), { code: '28P01' }));
    expect(err).not.toBeInstanceOf(RetryableError);
    expect(err).toMatchObject({ code: 'database_auth_failed', sqlstate: '28P01' });
    expect(err.hint).toMatch(/password/);
  });

  it.each([
    ['PGRST301', 'JWSError JWSInvalidSignature'],
    ['PGRST302', 'Anonymous access is disabled'],
    ['PGRST303', 'JWT expired'],
  ] as const)('PostgREST %s (HTTP 401) is a PermissionError 401 with a hint to refresh the session', (code, message) => {
    const err = toProjectsError({ code, message, details: null, hint: null }, 401);
    expect(err).toBeInstanceOf(PermissionError);
    expect(err).toMatchObject({ code: 'invalid_session', httpStatus: 401, sqlstate: code });
    expect(err.hint).toMatch(/refresh/);
  });

  it('serializes without SQL or parameters', () => {
    const json = toProjectsError({ code: '22023', message: 'p_name must not be empty' }).toJSON();
    expect(Object.keys(json).sort()).toEqual(['code', 'hint', 'httpStatus', 'message', 'name', 'referenceId', 'sqlstate', 'timestamp']);
  });
});
