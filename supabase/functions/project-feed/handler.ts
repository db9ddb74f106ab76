/**
 * GET /functions/v1/project-feed?projectId=<uuid>&after=<cursor>&limit=<1-1000> — the events of
 * a project (or, without projectId, of every project the caller reads) after a cursor, in feed
 * order, each with its build's prompt, status, version, error and timings:
 * `{ events, cursor }`. Pass `cursor` back as `after` to read on. Row-level security applies:
 * another user's project reads as empty. A user JWT or service_role.
 */
import { defineHandler } from '../_shared/handle.ts';

export const handler = defineHandler('getProjectFeed', {
  fields: ['projectId', 'after', 'limit'],
  call: (api, input) => api.getProjectFeed(input),
});
