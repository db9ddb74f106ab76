/**
 * GET /functions/v1/build-status?buildId=<ULID> — a build's status, for its
 * owner (or service_role). An unknown build, or another user's, is 404.
 */
import { defineHandler } from '../_shared/handle.ts';

export const handler = defineHandler('getBuildStatus', {
  fields: ['buildId'],
  call: (api, input) => api.getBuildStatus(input.buildId),
});
