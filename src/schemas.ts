/**
 * zod schemas: inputs mirror the SQL limits (so most bad input never reaches
 * the network; the database still enforces every rule), outputs fail loudly
 * when a SQL result changes shape. camelCase here, snake_case in SQL.
 */
import { z } from 'zod';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
// Control, soft-hyphen, zero-width and bidi-override characters (as projects_name_valid).
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/;

export const ulid = z.string().regex(ULID, 'must be a ULID (26 characters of Crockford base32)');
export const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a UUID');

/** btrim() in SQL trims spaces only (not tabs, not Unicode whitespace): the same here. */
const sqlTrim = (s: string) => s.replace(/^ +| +$/g, '');

// Sent as given: the database trims it. Checked here as the database will check it.
export const projectName = z
  .string()
  .refine((s) => sqlTrim(s).length >= 1, 'must not be empty')
  .refine((s) => [...sqlTrim(s)].length <= 120, 'must be at most 120 characters')
  .refine((s) => !INVISIBLE.test(sqlTrim(s)), 'must not contain control, zero-width or bidi-override characters');
export const framework = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a framework name such as react');
/** btrim(p_prompt, e' \t\r\n') in SQL: spaces, tabs, CR and LF only, not Unicode whitespace. */
const promptTrim = (s: string) => s.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
// Lengths count characters (code points), as char_length() does, not UTF-16 units.
export const prompt = z
  .string()
  .refine((s) => [...s].length <= 100_000, 'must be at most 100000 characters')
  .refine((s) => promptTrim(s) !== '', 'must not be only whitespace')
  .refine((s) => !s.includes('\0'), 'must not contain NUL characters');
export const idempotencyKey = z
  .string()
  .regex(/^[!-~]([ -~]{0,253}[!-~])?$/, 'must be 1 to 255 printable ASCII characters without surrounding spaces');
export const requestId = z.string().regex(/^[!-~]{1,200}$/, 'must be 1 to 200 printable ASCII characters');
export const source = z.string().regex(/^[a-z][a-z0-9_-]{0,49}$/, 'must be a lowercase service name such as worker-service');

export const createProjectInput = z.strictObject({
  name: projectName.optional(),
  framework: framework.optional(),
  prompt: prompt.optional(),
  idempotencyKey: idempotencyKey.optional(),
  /** service_role only: the user to act for (default: the caller). */
  userId: uuid.optional(),
  /** The new project's id, chosen by the caller (an app that names the project before creating it): the same id with the same parameters replays. */
  projectId: uuid.optional(),
  /** Who creates the project (projects.created_by_service): honoured for service_role, ignored for end users. */
  source: source.optional(),
  requestId: requestId.optional(),
});
export type CreateProjectInput = z.input<typeof createProjectInput>;

export const startBuildInput = z.strictObject({
  projectId: uuid,
  prompt: prompt.optional(),
  /** The build's framework (default: the project's); the project's framework follows it. */
  framework: framework.optional(),
  idempotencyKey: idempotencyKey.optional(),
  requestId: requestId.optional(),
});
export type StartBuildInput = z.input<typeof startBuildInput>;

export const completeBuildInput = z.strictObject({
  buildId: ulid,
  /** The worker's word: completed, failed, canceled (and synonyms). */
  status: z.string().min(1).max(40),
  errorMessage: z.string().max(10_000, 'must be at most 10000 characters').optional(),
  requestId: requestId.optional(),
});
export type CompleteBuildInput = z.input<typeof completeBuildInput>;

export const createVersionInput = z.strictObject({
  buildId: ulid,
  prompt: prompt.optional(),
  requestId: requestId.optional(),
});
export type CreateVersionInput = z.input<typeof createVersionInput>;

export const clientInput = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1 to 128 characters of A-Z, a-z, 0-9, _ and -'),
  name: z
    .string()
    .refine((s) => sqlTrim(s).length >= 1 && [...sqlTrim(s)].length <= 200, 'must be 1 to 200 characters after trimming')
    .refine((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(sqlTrim(s)), 'must not contain control characters'),
  email: z.string().max(320).regex(/^[^@\s]+@[^@\s]+$/, 'must be an email address').optional(),
  phone: z.string().regex(/^[+0-9 ().-]{3,40}$/, 'must be 3 to 40 characters of digits, spaces and + ( ) . -').optional(),
  company: z
    .string()
    .min(1)
    .max(200)
    .refine((s) => !/[\u0000-\u001f\u007f-\u009f]/.test(s), 'must not contain control characters')
    .optional(),
  userId: uuid.optional(),
  requestId: requestId.optional(),
});
export type ClientInput = z.input<typeof clientInput>;

/** A feed position: the `cursor` of the last event read (the writing transaction and the event id). */
export const feedCursor = z.string().regex(/^[0-9]{1,19}:[0-9]{1,19}$/, 'must be a cursor returned by the feed');

export const feedInput = z.strictObject({
  /** One project's events; omitted: every project the caller reads. */
  projectId: uuid.optional(),
  /** Events after this cursor; omitted: from the beginning. */
  after: feedCursor.nullish(),
  /** At most this many events (1 to 1000, default 100). */
  limit: z.number().int().min(1).max(1000).optional(),
});
export type FeedInput = z.input<typeof feedInput>;

/** getBuildStatus's input as the registry declares it (the SDK method takes the id alone). */
export const buildStatusInput = z.strictObject({ buildId: ulid });

/** mapWorkerStatus's input as the registry declares it (the SDK method takes the word alone). */
export const workerStatusInput = z.strictObject({ status: z.string() });

// ---- outputs (postgres.js gives bigint as string and timestamptz as Date; PostgREST gives numbers and ISO strings)
const bigintId = z.union([z.number(), z.string().regex(/^\d+$/)]).transform(Number);
const timestamp = z.union([z.date(), z.string()]).transform((v) => new Date(v).toISOString());
export const projectStatus = z.enum(['queued', 'building', 'deployed', 'failed', 'canceled', 'superseded']);
const buildStatus = z.enum(['started', 'completed', 'failed', 'canceled', 'superseded']);
const eventType = z.enum([
  'project_created', 'build_started', 'build_superseded', 'build_completed', 'build_failed',
  'build_canceled', 'version_created', 'version_discarded', 'client_created',
]);

// An existing project (created = false) answers its current build and version: the version is null
// while it has none (created by create_project_for_build, or its build failed or was superseded).
export const createCompleteProjectRow = z
  .object({
    project_id: uuid,
    version_id: ulid.nullable(),
    build_id: ulid,
    build_metrics_id: bigintId,
    created: z.boolean(),
    project_build_status: projectStatus,
  })
  .transform((r) => ({
    projectId: r.project_id,
    versionId: r.version_id,
    buildId: r.build_id,
    buildMetricsId: r.build_metrics_id,
    created: r.created,
    projectStatus: r.project_build_status,
  }));
export type CreateCompleteProjectResult = z.output<typeof createCompleteProjectRow>;

export const createProjectForBuildRow = z
  .object({ project_id: uuid, build_id: ulid, build_metrics_id: bigintId, created: z.boolean(), project_build_status: projectStatus })
  .transform((r) => ({
    projectId: r.project_id,
    buildId: r.build_id,
    buildMetricsId: r.build_metrics_id,
    created: r.created,
    projectStatus: r.project_build_status,
  }));
export type CreateProjectForBuildResult = z.output<typeof createProjectForBuildRow>;

export const startBuildRow = z
  .object({ build_id: ulid, build_metrics_id: bigintId, superseded_build_id: ulid.nullable(), created: z.boolean() })
  .transform((r) => ({ buildId: r.build_id, buildMetricsId: r.build_metrics_id, supersededBuildId: r.superseded_build_id, created: r.created }));
export type StartBuildResult = z.output<typeof startBuildRow>;

export const completeBuildRow = z
  .object({ project_id: uuid, build_status: projectStatus, version_id: ulid.nullable() })
  // build_status is the project's column of that name: its status once the build is final.
  .transform((r) => ({ projectId: r.project_id, projectStatus: r.build_status, versionId: r.version_id }));
export type CompleteBuildResult = z.output<typeof completeBuildRow>;

export const createVersionRow = z
  .object({ version_id: ulid, created: z.boolean() })
  .transform((r) => ({ versionId: r.version_id, created: r.created }));
export type CreateVersionResult = z.output<typeof createVersionRow>;

export const buildStatusRow = z
  .object({
    build_id: ulid,
    project_id: uuid,
    status: buildStatus,
    project_build_status: projectStatus,
    is_current: z.boolean(),
    version_id: ulid.nullable(),
    error_message: z.string().nullable(),
    started_at: timestamp,
    completed_at: timestamp.nullable(),
    duration_ms: bigintId.nullable(),
  })
  .transform((r) => ({
    buildId: r.build_id,
    projectId: r.project_id,
    status: r.status,
    projectStatus: r.project_build_status,
    isCurrent: r.is_current,
    versionId: r.version_id,
    errorMessage: r.error_message,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    durationMs: r.duration_ms,
  }));
export type BuildStatusResult = z.output<typeof buildStatusRow>;

export const clientRow = z
  .object({
    id: z.string(),
    user_id: uuid,
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    company: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    created: z.boolean(),
  })
  .transform((r) => ({
    id: r.id,
    userId: r.user_id,
    name: r.name,
    email: r.email,
    phone: r.phone,
    company: r.company,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    created: r.created,
  }));
export type ClientResult = z.output<typeof clientRow>;

export const feedEventRow = z
  .object({
    cursor: feedCursor,
    event_id: bigintId,
    event_type: eventType,
    occurred_at: timestamp,
    project_id: uuid,
    project_name: z.string(),
    framework: z.string(),
    project_status: projectStatus,
    build_id: ulid.nullable(),
    build_status: buildStatus.nullable(),
    is_current_build: z.boolean(),
    prompt: z.string().nullable(),
    version_id: ulid.nullable(),
    error_message: z.string().nullable(),
    reference_id: z.string().nullable(),
    started_at: timestamp.nullable(),
    completed_at: timestamp.nullable(),
    duration_ms: bigintId.nullable(),
  })
  .transform((r) => ({
    cursor: r.cursor,
    eventId: r.event_id,
    type: r.event_type,
    occurredAt: r.occurred_at,
    projectId: r.project_id,
    projectName: r.project_name,
    framework: r.framework,
    projectStatus: r.project_status,
    buildId: r.build_id,
    buildStatus: r.build_status,
    isCurrentBuild: r.is_current_build,
    prompt: r.prompt,
    versionId: r.version_id,
    errorMessage: r.error_message,
    referenceId: r.reference_id,
    startedAt: r.started_at,
    completedAt: r.completed_at,
    durationMs: r.duration_ms,
  }));
/** One event of the project feed, with its build's state for a timeline. */
export type FeedEvent = z.output<typeof feedEventRow>;

/** A page of the feed: its events, and the cursor to read on from (the input's when the page is empty). */
export interface FeedPage {
  events: FeedEvent[];
  cursor: string | null;
}
