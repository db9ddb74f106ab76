/**
 * POST /functions/v1/start-build — starts a new build of a project (the
 * build in flight, if any, is superseded). Body: { projectId, prompt?,
 * framework?, idempotencyKey? } or the Idempotency-Key header. The project's
 * owner (user JWT) or service_role. 201 for a new build, 200 for a replay.
 */
import { defineHandler } from '../_shared/handle.ts';

export const handler = defineHandler('startBuild', {
  fields: ['projectId', 'prompt', 'framework', 'idempotencyKey'],
  call: (api, input) => api.startBuild(input),
});
