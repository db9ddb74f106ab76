/**
 * The SDK's one API over either transport: each method names its entry of
 * the registry (functions.ts), which says how to parse the input (zod), which
 * SQL function to call by named arguments, and how to parse the output; every
 * error is typed.
 * No business rule lives here: the database enforces every one.
 */
import type { z } from 'zod';
import { logError, ProjectsError, toProjectsError, type Logger } from './errors.ts';
import { API_FUNCTIONS, argsOf, parseInput, type ApiFunction, type ApiName, type RemoteName, type ResultOf, type SqlFunction } from './functions.ts';
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

function unexpected(fn: string, rows: number, error?: z.ZodError): ProjectsError {
  return new ProjectsError({
    message: `${fn} returned an unexpected result (${rows} rows${error ? `; ${error.issues[0]?.path.join('.')}: ${error.issues[0]?.message}` : ''}); are the SDK and the migrations the same version?`,
    code: 'unexpected_result',
    sqlstate: null,
    httpStatus: 500,
  });
}

function parseRows<S extends z.ZodType>(fn: string, schema: S, rows: unknown[]): z.output<S>[] {
  return rows.map((row) => {
    const r = schema.safeParse(row);
    if (!r.success) throw unexpected(fn, rows.length, r.error);
    return r.data;
  });
}

export function createApi(transport: Transport, options: ApiOptions = {}): ProjectsApi {
  const logger = options.logger === undefined ? console : options.logger;

  /** Runs `work`, logging a failure under the SDK method's name before rethrowing it. */
  async function logged<T>(op: ApiName, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      const err = e instanceof ProjectsError ? e : e instanceof RpcFailure ? toProjectsError(e.body, e.status) : toProjectsError(e);
      logError(logger, op, err);
      throw err;
    }
  }

  /**
   * Validates the input, calls the function by named arguments and parses its rows
   * (in two steps: TypeScript ties the rows' type to the entry, not to its name).
   */
  function fetchRows<K extends RemoteName>(op: K, input: unknown): Promise<ResultOf<K>[]> {
    return callEntry(API_FUNCTIONS[op].sql, API_FUNCTIONS[op], input);
  }

  async function callEntry<F extends ApiFunction>(sql: SqlFunction, fn: F, input: unknown): Promise<z.output<F['result']>[]> {
    const found = await transport.call(sql, argsOf(parseInput(fn.input, input)));
    return parseRows<F['result']>(sql, fn.result, found);
  }

  const rows = <K extends RemoteName>(op: K, input: unknown) => logged(op, () => fetchRows(op, input));

  /** The same for a function that answers exactly one row. */
  const row = <K extends RemoteName>(op: K, input: unknown) =>
    logged(op, async () => {
      const found = await fetchRows(op, input);
      const [first] = found;
      if (found.length !== 1 || first === undefined) throw unexpected(API_FUNCTIONS[op].sql, found.length);
      return first;
    });

  const api: ProjectsApi = {
    transport: transport.kind,
    createCompleteProject: (input = {}) => row('createCompleteProject', input),
    createProjectForBuild: (input = {}) => row('createProjectForBuild', input),
    startBuild: (input) => row('startBuild', input),
    completeBuild: (input) => row('completeBuild', input),
    createVersionOnSuccess: (input) => row('createVersionOnSuccess', input),
    getBuildStatus: (buildId) => row('getBuildStatus', { buildId }),
    getOrCreateClient: (input) => row('getOrCreateClient', input),

    async getProjectFeed(input = {}) {
      const events = await rows('getProjectFeed', input);
      return { events, cursor: events.at(-1)?.cursor ?? input.after ?? null };
    },

    pollBuildStatus(buildId, pollOptions) {
      return pollBuildStatus((id) => api.getBuildStatus(id), buildId, pollOptions);
    },

    watchProject(projectId, onEvents, watchOptions = {}) {
      let id: string;
      try {
        id = parseInput(s.uuid, projectId);
      } catch (e) {
        logError(logger, 'watchProject', e as ProjectsError);
        throw e;
      }
      return watchFeed((q) => api.getProjectFeed(q), id, onEvents, { realtime: options.realtime, ...watchOptions });
    },

    watchProjects(onEvents, watchOptions = {}) {
      return watchFeed((q) => api.getProjectFeed(q), undefined, onEvents, { realtime: options.realtime, ...watchOptions });
    },

    mapWorkerStatus,
  };
  return api;
}
