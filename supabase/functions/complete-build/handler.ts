/**
 * POST /functions/v1/complete-build — the worker reports a build's final
 * status. Body: { buildId, status, errorMessage? }. service_role only.
 * Idempotent: the same status again returns the same result (200):
 * { projectId, projectStatus, versionId }.
 */
import { defineHandler } from '../_shared/handle.ts';

export const handler = defineHandler('completeBuild', {
  fields: ['buildId', 'status', 'errorMessage'],
  call: (api, input) => api.completeBuild(input),
});
