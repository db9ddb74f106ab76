/**
 * Folding feed events into what the pages show: a project's builds (its
 * prompt history) and the project list. Pure functions, used by the server
 * for the first paint and by the browser for live updates, so both agree.
 * Each event carries its build's state at read time: the latest event wins.
 */
import type { FeedEvent } from '@projects-core/sdk';

export interface Build {
  buildId: string;
  prompt: string | null;
  status: NonNullable<FeedEvent['buildStatus']>;
  isCurrent: boolean;
  versionId: string | null;
  errorMessage: string | null;
  referenceId: string | null;
  startedAt: string | null;
  completedAt: string | null;
  durationMs: number | null;
}

export interface ProjectSummary {
  id: string;
  name: string;
  framework: string;
  status: FeedEvent['projectStatus'];
  createdAt: string;
}

/** The project's builds, oldest first, after applying the events. */
export function applyToBuilds(builds: Build[], events: FeedEvent[]): Build[] {
  const byId = new Map(builds.map((b) => [b.buildId, b]));
  for (const e of events) {
    if (!e.buildId || !e.buildStatus) continue;
    byId.set(e.buildId, {
      buildId: e.buildId,
      prompt: e.prompt,
      status: e.buildStatus,
      isCurrent: e.isCurrentBuild,
      versionId: e.versionId,
      errorMessage: e.errorMessage,
      referenceId: e.referenceId,
      startedAt: e.startedAt,
      completedAt: e.completedAt,
      durationMs: e.durationMs,
    });
    // Only one build is current: a newer event says which.
    if (e.isCurrentBuild) for (const [id, b] of byId) if (id !== e.buildId && b.isCurrent) byId.set(id, { ...b, isCurrent: false });
  }
  return [...byId.values()].sort((a, b) => a.buildId.localeCompare(b.buildId)); // ULIDs sort by time
}

/** The project list, newest first, after applying the events. */
export function applyToProjects(projects: ProjectSummary[], events: FeedEvent[]): ProjectSummary[] {
  const byId = new Map(projects.map((p) => [p.id, p]));
  for (const e of events) {
    const known = byId.get(e.projectId);
    byId.set(e.projectId, {
      id: e.projectId,
      name: e.projectName,
      framework: e.framework,
      status: e.projectStatus,
      createdAt: known?.createdAt ?? e.occurredAt,
    });
  }
  return [...byId.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** "1.2 s", "3 min 4 s": a build's duration for people. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 100) / 10;
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export const formatTime = (iso: string | null) =>
  iso ? new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'medium' }) : '';

/** The words a person reads for a build's status (the SDK's statuses are the worker's). */
export const BUILD_LABELS: Record<Build['status'], string> = {
  started: 'building',
  completed: 'deployed',
  failed: 'failed',
  canceled: 'canceled',
  superseded: 'superseded',
};
