'use client';

import { useCallback, useEffect, useRef, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import { mapWorkerStatus, pollBuildStatus, toProjectsError, type BuildStatusResult } from '@projects-core/sdk';
import { browserClient, describeError, invoke, type ClientEnv } from '@/lib/edge';

function ErrorBox({ error }: { error: { message: string; referenceId: string | null } | null }) {
  if (!error) return null;
  return (
    <div className="error" role="alert" data-testid="error">
      {error.message}
      {error.referenceId ? (
        <div className="muted">
          Reference: <code data-testid="reference-id">{error.referenceId}</code> (quote it to support)
        </div>
      ) : null}
    </div>
  );
}

export function SignInButton() {
  const router = useRouter();
  const [error, setError] = useState<{ message: string; referenceId: string | null } | null>(null);
  return (
    <>
      <button
        onClick={async () => {
          const res = await fetch('/api/dev/session', { method: 'POST' });
          if (res.ok) router.refresh();
          else setError(describeError(toProjectsError(await res.json(), res.status)));
        }}
      >
        Sign in as demo user
      </button>
      <ErrorBox error={error} />
    </>
  );
}

export function SignOutButton() {
  const router = useRouter();
  return (
    <button
      onClick={async () => {
        await fetch('/api/dev/session', { method: 'DELETE' });
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}

interface Created {
  projectId: string;
  buildId: string;
}

/**
 * One idempotency key per user action: it is made when the form is ready for a
 * new project and reused by every submit until one succeeds, so a double click,
 * a resubmit or a retry can never create two projects (seed 000's race).
 */
export function NewProjectForm({ env }: { env: ClientEnv }) {
  const router = useRouter();
  const key = useRef<string>(crypto.randomUUID());
  const [via, setVia] = useState<'edge' | 'route'>('edge');
  const [pending, setPending] = useState(0);
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState<{ message: string; referenceId: string | null } | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const body = { name: String(form.get('name') ?? ''), framework: String(form.get('framework')), prompt: String(form.get('prompt') ?? '') || undefined };
    setPending((n) => n + 1);
    setError(null);
    try {
      let result: Created;
      if (via === 'edge') {
        // The browser calls the create-project edge function with the user's token.
        result = await invoke<Created>(browserClient(env), 'create-project', { body, headers: { 'Idempotency-Key': key.current } });
      } else {
        // Or a route handler of this app calls the SDK on the server.
        const res = await fetch('/api/projects', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': key.current },
          body: JSON.stringify(body),
        });
        const json = await res.json();
        if (!res.ok) throw toProjectsError(json, res.status);
        result = json as Created;
      }
      setCreated(result);
      key.current = crypto.randomUUID(); // the next project is a new action
      router.refresh();
    } catch (err) {
      setError(describeError(err));
    } finally {
      setPending((n) => n - 1);
    }
  }

  return (
    <form onSubmit={submit} data-testid="new-project">
      <h2>New project</h2>
      <input name="name" placeholder="Project name" aria-label="Project name" />
      <select name="framework" aria-label="Framework" defaultValue="nextjs">
        {['nextjs', 'react', 'vue', 'svelte', 'astro'].map((f) => <option key={f} value={f}>{f}</option>)}
      </select>
      <textarea name="prompt" placeholder="What should it build?" aria-label="Prompt" rows={2} />
      <label className="muted">
        <input type="radio" name="via" checked={via === 'edge'} onChange={() => setVia('edge')} /> create-project edge function{' '}
        <input type="radio" name="via" checked={via === 'route'} onChange={() => setVia('route')} /> route handler + SDK
      </label>
      {/* Deliberately not disabled while pending: the idempotency key, not the button, guarantees one project. */}
      <button type="submit">{pending ? 'Creating…' : 'Create project'}</button>
      {created ? (
        <p data-testid="created">
          Created <a href={`/projects/${created.projectId}`}>{created.projectId}</a>
        </p>
      ) : null}
      <ErrorBox error={error} />
    </form>
  );
}

interface ProjectProps {
  env: ClientEnv;
  project: { id: string; name: string; framework: string; buildId: string | null };
  devTools: boolean;
}

/** Follows the current build with the SDK's pollBuildStatus; labels come from the SDK's status mapping. */
export function ProjectView({ env, project, devTools }: ProjectProps) {
  const [buildId, setBuildId] = useState(project.buildId);
  const [status, setStatus] = useState<BuildStatusResult | null>(null);
  const [error, setError] = useState<{ message: string; referenceId: string | null } | null>(null);
  const [poll, setPoll] = useState(0);

  useEffect(() => {
    if (!buildId) return;
    const supabase = browserClient(env);
    const controller = new AbortController();
    const get = (id: string) => invoke<BuildStatusResult>(supabase, `build-status?buildId=${encodeURIComponent(id)}`, { method: 'GET' });
    pollBuildStatus(get, buildId, { signal: controller.signal, initialDelayMs: 300, maxDelayMs: 2000, onStatus: setStatus })
      .then(setStatus)
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(describeError(e));
      });
    return () => controller.abort();
  }, [buildId, poll, env]);

  const startBuild = useCallback(async () => {
    setError(null);
    try {
      const r = await invoke<{ buildId: string }>(browserClient(env), 'start-build', {
        body: { projectId: project.id, prompt: 'another iteration' },
        headers: { 'Idempotency-Key': crypto.randomUUID() },
      });
      setStatus(null);
      setBuildId(r.buildId);
      setPoll((n) => n + 1);
    } catch (e) {
      setError(describeError(e));
    }
  }, [env, project.id]);

  const simulate = useCallback(async (outcome: 'completed' | 'failed') => {
    setError(null);
    const res = await fetch('/api/dev/simulate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ buildId, outcome }),
    });
    if (!res.ok) setError(describeError(toProjectsError(await res.json(), res.status)));
  }, [buildId]);

  const label = status ? mapWorkerStatus(status.status) : 'loading';
  return (
    <section>
      <h1>{project.name}</h1>
      <p className="muted">{project.framework} · project {project.id}</p>
      <p>
        Build <code>{buildId ?? 'none'}</code>: <span className={`status status-${label}`} data-testid="build-status">{label}</span>
      </p>
      {status?.versionId ? <p>Version <code data-testid="version-id">{status.versionId}</code></p> : null}
      {status?.errorMessage ? <p className="muted" data-testid="build-error">{status.errorMessage}</p> : null}
      <button onClick={startBuild}>Start a new build</button>
      <ErrorBox error={error} />
      {devTools ? (
        <div className="dev">
          <strong>Simulate worker</strong> <span className="muted">(development only: completes the build as the worker would)</span>
          <div>
            <button onClick={() => simulate('completed')}>Simulate success</button>{' '}
            <button onClick={() => simulate('failed')}>Simulate failure</button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
