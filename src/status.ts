/**
 * The TypeScript mirror of public.worker_status_map / map_worker_status():
 * a test asserts both agree for every status. Unknown words are refused,
 * never mapped to a default: a typo in a worker would otherwise show a failed
 * build as queued for ever.
 */
import { ValidationError } from './errors.ts';

export type ProjectStatus = 'queued' | 'building' | 'deployed' | 'failed' | 'canceled' | 'superseded';
export type BuildStatus = 'started' | 'completed' | 'failed' | 'canceled' | 'superseded';

export const WORKER_STATUS_MAP: Readonly<Record<string, ProjectStatus>> = Object.freeze({
  queued: 'queued',
  pending: 'queued',
  building: 'building',
  started: 'building',
  running: 'building',
  completed: 'deployed',
  succeeded: 'deployed',
  deployed: 'deployed',
  failed: 'failed',
  error: 'failed',
  canceled: 'canceled',
  cancelled: 'canceled',
  superseded: 'superseded',
});

/** Final worker statuses complete_build accepts. */
export const FINAL_WORKER_STATUSES = ['completed', 'succeeded', 'deployed', 'failed', 'error', 'canceled', 'cancelled'] as const;

/** Maps a worker's build status to a project status (case-insensitive); throws ValidationError for unknown words. */
export function mapWorkerStatus(status: string): ProjectStatus {
  const key = typeof status === 'string' ? status.trim().toLowerCase() : '';
  const mapped = Object.hasOwn(WORKER_STATUS_MAP, key) ? WORKER_STATUS_MAP[key] : undefined;
  if (!mapped) {
    throw new ValidationError({
      message: `unknown worker status ${JSON.stringify(String(status).slice(0, 40))}`,
      code: 'invalid_input',
      sqlstate: '22023',
      httpStatus: 400,
      hint: `known: ${Object.keys(WORKER_STATUS_MAP).sort().join(', ')}`,
    });
  }
  return mapped;
}
