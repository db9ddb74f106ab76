/**
 * The SDK's one API over either transport: parse the input (zod), call the
 * SQL function by named arguments, parse the output, type the error.
 * No business rule lives here: the database enforces every one.
 */
import type { z } from 'zod';
import { logError, ProjectsError, toProjectsError, ValidationError, type Logger } from './errors.ts';
import type { SqlFunction } from './functions.ts';
import { pollBuildStatus, type PollOptions } from './poll.ts';
import * as s from './schemas.ts';
import { mapWorkerStatus, type ProjectStatus } from './status.ts';
import { RpcFailure, type Transport } from './transport.ts';
import { watchFeed, type FeedListener, type RealtimeLike, type Watch, type WatchOptions } from './watch.ts';

export interface ApiOptions {
  /** Where errors are logged with their reference id (default: console). `null` silences it. */
  logger?: Logger;
  /** The Realtime client watchProject(s) use by default (fromSupabase passes its client). */
  realtime?: RealtimeLike;
}

export interface ProjectsApi {
  /** Project, first build, AI-time session, events and a provisional first version, atomically. */
  createCompleteProject(input?: s.CreateProjectInput): Promise<s.CreateCompleteProjectResult>;
  /** The same without a version: it is created when the build succeeds. */
  createProjectForBuild(input?: s.CreateProjectInput): Promise<s.CreateProjectForBuildResult>;
  /** Starts a build, superseding the one in flight. Owner or service_role. */
  startBuild(input: s.StartBuildInput): Promise<s.StartBuildResult>;
  /** The worker's final word on a build (service_role). Idempotent. */
  completeBuild(input: s.CompleteBuildInput): Promise<s.CompleteBuildResult>;
  /** The version of a successful build, once (service_role). */
  createVersionOnSuccess(input: s.CreateVersionInput): Promise<s.CreateVersionResult>;
  /** A build's status; NotFoundError when unknown or not yours. */
  getBuildStatus(buildId: string): Promise<s.BuildStatusResult>;
  /** Polls until the build reaches a final status (see PollOptions). */
  pollBuildStatus(buildId: string, options?: PollOptions): Promise<s.BuildStatusResult>;
  /** The events of a project (or of all the caller's) after a cursor, in feed order, with their builds' state. */
  getProjectFeed(input?: s.FeedInput): Promise<s.FeedPage>;
  /** Calls `onEvents` with every new event of the project: Realtime where available, else polling the feed. */
  watchProject(projectId: string, onEvents: FeedListener, options?: WatchOptions): Watch;
  /** The same for every project the caller reads. */
  watchProjects(onEvents: FeedListener, options?: WatchOptions): Watch;
  /** The user's client with this chat id (ids are per user), created if missing; never overwritten. */
  getOrCreateClient(input: s.ClientInput): Promise<s.ClientResult>;
  /** The worker's status word → project status (local mirror of map_worker_status). */
  mapWorkerStatus(status: string): ProjectStatus;
  /** Which transport this API uses. */
  readonly transport: Transport['kind'];
}

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
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

function unexpected(fn: string, rows: number, error?: z.ZodError): ProjectsError {
  return new ProjectsError({
    message: `${fn} returned an unexpected result (${rows} rows${error ? `; ${error.issues[0]?.path.join('.')}: ${error.issues[0]?.message}` : ''}); are the SDK and the migrations the same version?`,
    code: 'unexpected_result',
    sqlstate: null,
    httpStatus: 500,
  });
}

function parseRow<S extends z.ZodType>(fn: string, schema: S, rows: unknown[]): z.output<S> {
  const r = schema.safeParse(rows[0]);
  if (rows.length === 1 && r.success) return r.data;
  throw unexpected(fn, rows.length, r.success ? undefined : r.error);
}

export function createApi(transport: Transport, options: ApiOptions = {}): ProjectsApi {
  const logger = options.logger === undefined ? console : options.logger;

  async function transportCall(op: string, fn: SqlFunction, args: Record<string, string | null | undefined>): Promise<unknown[]> {
    try {
      return await transport.call(fn, args, 'rows');
    } catch (e) {
      const err = e instanceof RpcFailure ? toProjectsError(e.body, e.status) : toProjectsError(e);
      logError(logger, op, err);
      throw err;
    }
  }

  async function call<S extends z.ZodType>(
    op: string,
    fn: SqlFunction,
    args: Record<string, string | null | undefined>,
    out: S,
  ): Promise<z.output<S>> {
    const rows = await transportCall(op, fn, args);
    try {
      return parseRow(fn, out, rows);
    } catch (e) {
      logError(logger, op, e as ProjectsError);
      throw e;
    }
  }

  function validated<S extends z.ZodType>(op: string, schema: S, input: unknown): z.output<S> {
    try {
      return parseInput(schema, input);
    } catch (e) {
      logError(logger, op, e as ProjectsError);
      throw e;
    }
  }

  const creationArgs = (i: z.output<typeof s.createProjectInput>) => ({
    p_user_id: i.userId,
    p_framework: i.framework,
    p_prompt: i.prompt,
    p_name: i.name,
    p_idempotency_key: i.idempotencyKey,
    p_project_id: i.projectId,
    p_source: i.source,
    p_request_id: i.requestId,
  });

  const api: ProjectsApi = {
    transport: transport.kind,

    async createCompleteProject(input = {}) {
      const i = validated('createCompleteProject', s.createProjectInput, input);
      return call('createCompleteProject', 'create_complete_project', creationArgs(i), s.createCompleteProjectRow);
    },

    async createProjectForBuild(input = {}) {
      const i = validated('createProjectForBuild', s.createProjectInput, input);
      return call('createProjectForBuild', 'create_project_for_build', creationArgs(i), s.createProjectForBuildRow);
    },

    async startBuild(input) {
      const i = validated('startBuild', s.startBuildInput, input);
      return call('startBuild', 'start_build', {
        p_project_id: i.projectId,
        p_prompt: i.prompt,
        p_idempotency_key: i.idempotencyKey,
        p_request_id: i.requestId,
        p_framework: i.framework,
      }, s.startBuildRow);
    },

    async completeBuild(input) {
      const i = validated('completeBuild', s.completeBuildInput, input);
      return call('completeBuild', 'complete_build', {
        p_build_id: i.buildId,
        p_status: i.status,
        p_error_message: i.errorMessage,
        p_request_id: i.requestId,
      }, s.completeBuildRow);
    },

    async createVersionOnSuccess(input) {
      const i = validated('createVersionOnSuccess', s.createVersionInput, input);
      return call('createVersionOnSuccess', 'create_version_on_success', {
        p_build_id: i.buildId,
        p_prompt: i.prompt,
        p_request_id: i.requestId,
      }, s.createVersionRow);
    },

    async getBuildStatus(buildId) {
      const id = validated('getBuildStatus', s.ulid, buildId);
      return call('getBuildStatus', 'get_build_status', { p_build_id: id }, s.buildStatusRow);
    },

    pollBuildStatus(buildId, pollOptions) {
      return pollBuildStatus((id) => api.getBuildStatus(id), buildId, pollOptions);
    },

    async getProjectFeed(input = {}) {
      const i = validated('getProjectFeed', s.feedInput, input);
      const rows = await transportCall('getProjectFeed', 'get_project_feed', {
        p_project_id: i.projectId,
        p_after: i.after ?? undefined,
        p_limit: i.limit === undefined ? undefined : String(i.limit),
      });
      const parsed = s.feedEventRow.array().safeParse(rows);
      if (!parsed.success) {
        const err = unexpected('get_project_feed', rows.length, parsed.error);
        logError(logger, 'getProjectFeed', err);
        throw err;
      }
      return { events: parsed.data, cursor: parsed.data.at(-1)?.cursor ?? i.after ?? null };
    },

    watchProject(projectId, onEvents, watchOptions = {}) {
      const id = validated('watchProject', s.uuid, projectId);
      return watchFeed((q) => api.getProjectFeed(q), id, onEvents, { realtime: options.realtime, ...watchOptions });
    },

    watchProjects(onEvents, watchOptions = {}) {
      return watchFeed((q) => api.getProjectFeed(q), undefined, onEvents, { realtime: options.realtime, ...watchOptions });
    },

    async getOrCreateClient(input) {
      const i = validated('getOrCreateClient', s.clientInput, input);
      return call('getOrCreateClient', 'get_or_create_client', {
        p_id: i.id,
        p_name: i.name,
        p_email: i.email,
        p_phone: i.phone,
        p_company: i.company,
        p_user_id: i.userId,
        p_request_id: i.requestId,
      }, s.clientRow);
    },

    mapWorkerStatus,
  };
  return api;
}
