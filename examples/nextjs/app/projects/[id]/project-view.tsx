'use client';

import { useState, type FormEvent } from 'react';
import { toProjectsError } from '@projects-core/sdk';
import { browserClient, describeError, invoke, type ClientEnv } from '@/lib/edge';
import { applyToBuilds, applyToProjects, BUILD_LABELS, formatDuration, formatTime, type Build, type ProjectSummary } from '@/lib/timeline';
import { ErrorBox, StatusBadge, useFeed, useIntentKey, type ShownError } from '../../components';

interface Props {
  env: ClientEnv;
  project: ProjectSummary;
  builds: Build[];
  cursor: string | null;
  devTools: boolean;
}

/** A project: its prompt history as a timeline of builds, kept live from its feed, and a follow-up prompt. */
export function ProjectView({ env, project: initialProject, builds: initialBuilds, cursor, devTools }: Props) {
  const [project, setProject] = useState(initialProject);
  const [builds, setBuilds] = useState(initialBuilds);
  useFeed(env, initialProject.id, cursor, (events) => {
    setBuilds((b) => applyToBuilds(b, events));
    setProject((p) => applyToProjects([p], events)[0] ?? p);
  });

  return (
    <section>
      <p><a href="/">← All projects</a></p>
      <h1>{project.name}</h1>
      <p className="muted">
        {project.framework} · created {formatTime(project.createdAt)} · <StatusBadge status={project.status} testId="project-status" />
      </p>
      <h2>Prompt history</h2>
      {builds.length === 0 ? <p className="empty">No builds yet.</p> : (
        <ol className="timeline" data-testid="timeline">
          {builds.map((b) => <BuildItem key={b.buildId} build={b} devTools={devTools} />)}
        </ol>
      )}
      <FollowUp env={env} projectId={project.id} />
    </section>
  );
}

function BuildItem({ build, devTools }: { build: Build; devTools: boolean }) {
  const label = BUILD_LABELS[build.status];
  return (
    <li className={`build build-${label}`} data-testid="build" data-build-id={build.buildId}>
      <div className="build-head">
        <StatusBadge status={label} testId="build-status" />
        <span className="muted">
          {formatTime(build.startedAt)}
          {build.durationMs !== null ? <> · took <span data-testid="build-duration">{formatDuration(build.durationMs)}</span></> : null}
          {build.isCurrent ? ' · current' : null}
        </span>
      </div>
      <p className="prompt" data-testid="build-prompt">{build.prompt ?? <em className="muted">No prompt</em>}</p>
      {build.versionId ? <p className="muted">Version <code data-testid="version-id">{build.versionId}</code></p> : null}
      {build.status === 'failed' ? (
        <ErrorBox testId="build-error" error={{ message: build.errorMessage ?? 'The build failed.', referenceId: build.referenceId }} />
      ) : null}
      {devTools && build.status === 'started' ? <SimulateWorker buildId={build.buildId} /> : null}
    </li>
  );
}

/** A follow-up prompt starts a new build; one idempotency key per intent, as for creation. */
function FollowUp({ env, projectId }: { env: ClientEnv; projectId: string }) {
  const key = useIntentKey();
  const [prompt, setPrompt] = useState('');
  const [pending, setPending] = useState(0);
  const [error, setError] = useState<ShownError>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const idempotencyKey = key.get();
    setPending((n) => n + 1);
    setError(null);
    try {
      await invoke(browserClient(env), 'start-build', { body: { projectId, prompt }, headers: { 'Idempotency-Key': idempotencyKey } });
      setPrompt('');
      key.reset();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setPending((n) => n - 1);
    }
  }

  return (
    <form onSubmit={submit} className="card" data-testid="follow-up">
      <label htmlFor="follow-up">Follow-up prompt</label>
      <textarea id="follow-up" required rows={2} value={prompt} placeholder="Add dark mode and a settings page"
        onChange={(e) => {
          setPrompt(e.target.value);
          key.reset();
        }} />
      <div><button type="submit" className="primary">{pending ? 'Starting…' : 'Start build'}</button></div>
      <ErrorBox error={error} />
    </form>
  );
}

/** Development only: completes the build as the worker would (through the complete-build edge function, server-side). */
function SimulateWorker({ buildId }: { buildId: string }) {
  const [error, setError] = useState<ShownError>(null);
  const simulate = async (outcome: 'completed' | 'failed') => {
    setError(null);
    const res = await fetch('/api/dev/simulate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ buildId, outcome }),
    });
    if (!res.ok) setError(describeError(toProjectsError(await res.json(), res.status)));
  };
  return (
    <div className="dev">
      <strong>Simulate worker</strong> <span className="muted">(development only)</span>{' '}
      <button onClick={() => simulate('completed')}>Simulate success</button>{' '}
      <button onClick={() => simulate('failed')}>Simulate failure</button>
      <ErrorBox error={error} />
    </div>
  );
}
