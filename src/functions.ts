/**
 * The registry of API functions: each declared once, with its SQL function
 * and typed parameters, the roles granted EXECUTE, its input and result
 * schemas, whether it only reads, and its edge function when it has one.
 * The SDK (api.ts), the postgres.js transport, the edge handlers, the local
 * function server and `npm start` are built from it; tests/contract.test.ts
 * checks the migrations, grants, pgTAP, config.toml and docs against it.
 * The key of each entry is the SDK method's name. Adding a function:
 * CONTRIBUTING.md.
 */
import type { z } from 'zod';
import { ValidationError } from './errors.ts';
import * as s from './schemas.ts';

export type Role = 'anon' | 'authenticated' | 'service_role';
export type SqlType = 'uuid' | 'text' | 'integer';

export interface ApiFunction {
  /** The SQL function, in schema public. */
  readonly sql: string;
  /**
   * Its parameters with their SQL types (postgres.js casts by them; PostgREST
   * resolves them by name): one per input field, named p_ + the field in snake_case.
   */
  readonly params: Readonly<Record<string, SqlType>>;
  /** The roles granted EXECUTE; nobody else may call it. */
  readonly roles: readonly Role[];
  /** The SDK's input (camelCase fields). */
  readonly input: z.ZodObject;
  /** One result row (snake_case columns in, camelCase fields out). */
  readonly result: z.ZodType;
  /** 'row': exactly one row; 'rows': a set; 'local': the SDK answers it itself (a mirror tested equal to SQL). */
  readonly returns: 'row' | 'rows' | 'local';
  /** It never writes: declared stable in SQL, so PostgreSQL refuses a write in it (a read replica may serve it). */
  readonly readOnly: boolean;
  /** Its edge function (supabase/functions/<name>), when it is exposed over HTTP; `roles` narrows who may call it there. */
  readonly http?: { readonly name: string; readonly method: 'GET' | 'POST'; readonly roles?: readonly Role[] };
}

const creationParams = {
  p_user_id: 'uuid', p_framework: 'text', p_prompt: 'text', p_name: 'text', p_idempotency_key: 'text',
  p_project_id: 'uuid', p_source: 'text', p_request_id: 'text',
} as const;
const USERS_AND_SERVICE = ['authenticated', 'service_role'] as const;

export const API_FUNCTIONS = {
  createCompleteProject: {
    sql: 'create_complete_project',
    params: creationParams,
    roles: USERS_AND_SERVICE,
    input: s.createProjectInput,
    result: s.createCompleteProjectRow,
    returns: 'row',
    readOnly: false,
    // Over HTTP the caller is the project's owner: there is no userId field to act for another user.
    http: { name: 'create-project', method: 'POST', roles: ['authenticated'] },
  },
  createProjectForBuild: {
    sql: 'create_project_for_build',
    params: creationParams,
    roles: USERS_AND_SERVICE,
    input: s.createProjectInput,
    result: s.createProjectForBuildRow,
    returns: 'row',
    readOnly: false,
  },
  startBuild: {
    sql: 'start_build',
    params: { p_project_id: 'uuid', p_prompt: 'text', p_idempotency_key: 'text', p_request_id: 'text', p_framework: 'text' },
    roles: USERS_AND_SERVICE,
    input: s.startBuildInput,
    result: s.startBuildRow,
    returns: 'row',
    readOnly: false,
    http: { name: 'start-build', method: 'POST' },
  },
  completeBuild: {
    sql: 'complete_build',
    params: { p_build_id: 'text', p_status: 'text', p_error_message: 'text', p_request_id: 'text' },
    roles: ['service_role'],
    input: s.completeBuildInput,
    result: s.completeBuildRow,
    returns: 'row',
    readOnly: false,
    http: { name: 'complete-build', method: 'POST' },
  },
  createVersionOnSuccess: {
    sql: 'create_version_on_success',
    params: { p_build_id: 'text', p_prompt: 'text', p_request_id: 'text' },
    roles: ['service_role'],
    input: s.createVersionInput,
    result: s.createVersionRow,
    returns: 'row',
    readOnly: false,
  },
  getBuildStatus: {
    sql: 'get_build_status',
    params: { p_build_id: 'text' },
    roles: USERS_AND_SERVICE,
    input: s.buildStatusInput,
    result: s.buildStatusRow,
    returns: 'row',
    readOnly: true,
    http: { name: 'build-status', method: 'GET' },
  },
  getProjectFeed: {
    sql: 'get_project_feed',
    params: { p_project_id: 'uuid', p_after: 'text', p_limit: 'integer' },
    roles: USERS_AND_SERVICE,
    input: s.feedInput,
    result: s.feedEventRow,
    returns: 'rows',
    readOnly: true,
    http: { name: 'project-feed', method: 'GET' },
  },
  getOrCreateClient: {
    sql: 'get_or_create_client',
    params: {
      p_id: 'text', p_name: 'text', p_email: 'text', p_phone: 'text', p_company: 'text', p_user_id: 'uuid', p_request_id: 'text',
    },
    roles: USERS_AND_SERVICE,
    input: s.clientInput,
    result: s.clientRow,
    returns: 'row',
    readOnly: false,
    http: { name: 'get-or-create-client', method: 'POST' },
  },
  mapWorkerStatus: {
    sql: 'map_worker_status',
    params: { p_status: 'text' },
    roles: ['anon', 'authenticated', 'service_role'],
    input: s.workerStatusInput,
    result: s.projectStatus,
    returns: 'local',
    readOnly: true,
  },
} as const satisfies Record<string, ApiFunction>;

export type ApiName = keyof typeof API_FUNCTIONS;
/** The functions the SDK calls through its transport. */
export type RemoteName = { [K in ApiName]: (typeof API_FUNCTIONS)[K]['returns'] extends 'local' ? never : K }[ApiName];
export type SqlFunction = (typeof API_FUNCTIONS)[ApiName]['sql'];
/** What a function's input schema yields (its validated input). */
export type InputOf<K extends ApiName> = z.output<(typeof API_FUNCTIONS)[K]['input']>;
/** One parsed result row of a function. */
export type ResultOf<K extends ApiName> = z.output<(typeof API_FUNCTIONS)[K]['result']>;

/** The SQL parameter of an input field: `buildId` → `p_build_id`. */
export const paramOf = (field: string): string => `p_${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`;

/** The SQL functions and their parameter types, by SQL name (the postgres.js transport casts by them). */
export const SQL_FUNCTIONS: Readonly<Record<string, Readonly<Record<string, SqlType>> | undefined>> = Object.fromEntries(
  Object.values(API_FUNCTIONS).map((f) => [f.sql, f.params]),
);

/** The edge functions, by directory name under supabase/functions. */
export const HTTP_FUNCTIONS: readonly string[] = Object.values(API_FUNCTIONS).flatMap((f) => ('http' in f ? [f.http.name] : []));

/** Validates an input against a schema: its data, or a ValidationError (22023) naming every issue. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`);
  throw new ValidationError({
    message: `invalid input: ${issues.join('; ')}`,
    code: 'invalid_input',
    sqlstate: '22023',
    httpStatus: 400,
    issues,
  });
}

/** Validates the input of a registered function. */
export function parseInputOf<K extends ApiName>(op: K, input: unknown): InputOf<K> {
  return parseDeclared(API_FUNCTIONS[op], input);
}

function parseDeclared<F extends ApiFunction>(fn: F, input: unknown): z.output<F['input']> {
  return parseInput<F['input']>(fn.input, input);
}

/** A validated input as named SQL arguments: `{ buildId }` → `{ p_build_id }`; omitted fields are not sent. */
export function argsOf(input: Record<string, unknown>): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [field, value] of Object.entries(input)) {
    if (value !== undefined && value !== null) args[paramOf(field)] = String(value);
  }
  return args;
}
