'use client';

import { useState } from 'react';
import Link from 'next/link';
import type { Framework } from '@/lib/db';
import type { ClientEnv } from '@/lib/edge';
import { applyToProjects, formatTime, type ProjectSummary } from '@/lib/timeline';
import { StatusBadge, useFeed } from './components';

/** The user's projects, kept live from the feed of all their projects. */
export function ProjectList({ env, initial, cursor, frameworks }: {
  env: ClientEnv;
  initial: ProjectSummary[];
  cursor: string | null;
  frameworks: Framework[];
}) {
  const label = (name: string) => frameworks.find((f) => f.name === name)?.label ?? name;
  const [projects, setProjects] = useState(initial);
  const mode = useFeed(env, undefined, cursor, (events) => setProjects((p) => applyToProjects(p, events)));
  if (projects.length === 0) {
    return <p className="empty" data-testid="no-projects">No projects yet. Describe an app above to create your first one.</p>;
  }
  return (
    <>
      <table data-testid="projects">
        <thead>
          <tr><th>Name</th><th>Framework</th><th>Status</th><th>Created</th></tr>
        </thead>
        <tbody>
          {projects.map((p) => (
            <tr key={p.id} data-testid="project-row">
              <td><Link href={`/projects/${p.id}`}>{p.name}</Link></td>
              <td>{label(p.framework)}</td>
              <td><StatusBadge status={p.status} /></td>
              <td className="muted">{formatTime(p.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted live">Live updates: {mode === 'realtime' ? 'Supabase Realtime' : 'polling the project feed'}</p>
    </>
  );
}
