/**
 * POST /functions/v1/create-project — creates a project for the signed-in user.
 *
 * Body: { name?, framework?, prompt?, idempotencyKey?, projectId? }; the key may
 * instead come in an `Idempotency-Key` header (a repeated request
 * with the same key returns the first result; the same key with another body is
 * 422). projectId chooses the new project's id (for an app that names the
 * project before creating it): the same id with the same body replays,
 * another user's id is 409.
 * Authorization: Bearer <user JWT>. 201 with { projectId, versionId, buildId,
 * buildMetricsId, status, created } for a new project; 200 (Idempotent-Replayed:
 * true) for an existing one, whose versionId is null while it has no version.
 */
import { defineHandler } from '../_shared/handle.ts';

export const handler = defineHandler('createCompleteProject', {
  fields: ['name', 'framework', 'prompt', 'idempotencyKey', 'projectId'],
  call: (api, input) => api.createCompleteProject(input),
  answer: (r) => ({
    projectId: r.projectId,
    versionId: r.versionId,
    buildId: r.buildId,
    buildMetricsId: r.buildMetricsId,
    status: r.projectStatus,
    created: r.created,
  }),
});
