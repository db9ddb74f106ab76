'use client';

import { useState, type FormEvent } from 'react';
import Link from 'next/link';
import { toProjectsError } from '@projects-core/sdk';
import { browserClient, describeError, invoke, type ClientEnv } from '@/lib/edge';
import type { Framework } from '@/lib/db';
import { ErrorBox, useIntentKey, type ShownError } from './components';

interface Created {
  projectId: string;
  name: string;
}

const EMPTY = { prompt: '', name: '', framework: 'nextjs' };

/**
 * The prompt box: describe an app, name it, create it. A double click, a
 * resubmit or a retry sends the same idempotency key, so it creates one
 * project; the button is deliberately not disabled while pending, to show it.
 * After a success the form is empty again, ready for a new intent.
 */
export function NewProjectForm({ env, frameworks }: { env: ClientEnv; frameworks: Framework[] }) {
  const key = useIntentKey();
  const [fields, setFields] = useState(EMPTY);
  const [via, setVia] = useState<'edge' | 'route'>('edge');
  const [pending, setPending] = useState(0);
  const [created, setCreated] = useState<Created | null>(null);
  const [error, setError] = useState<ShownError>(null);

  const edit = (field: keyof typeof EMPTY) => (e: { target: { value: string } }) => {
    setFields((f) => ({ ...f, [field]: e.target.value }));
    key.reset(); // a different request is a new intent
  };

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const body = { ...fields };
    const idempotencyKey = key.get();
    setPending((n) => n + 1);
    setError(null);
    setCreated(null);
    try {
      let result: { projectId: string };
      if (via === 'edge') {
        // The browser calls the create-project edge function with the user's token.
        result = await invoke(browserClient(env), 'create-project', { body, headers: { 'Idempotency-Key': idempotencyKey } });
      } else {
        // Or a route handler of this app calls the SDK on the server.
        const res = await fetch('/api/projects', {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
          body: JSON.stringify(body),
        });
        const json = await res.json();
        if (!res.ok) throw toProjectsError(json, res.status);
        result = json;
      }
      setCreated({ projectId: result.projectId, name: body.name.trim() });
      setFields(EMPTY);
      key.reset(); // the next project is a new intent
    } catch (err) {
      setError(describeError(err));
    } finally {
      setPending((n) => n - 1);
    }
  }

  return (
    <form onSubmit={submit} data-testid="new-project" className="card">
      <h2>Start a new app</h2>
      <label htmlFor="prompt">What do you want to build?</label>
      <textarea id="prompt" name="prompt" required rows={3} value={fields.prompt} onChange={edit('prompt')}
        placeholder="A habit tracker with streaks and a weekly summary" />
      <div className="row">
        <div>
          <label htmlFor="name">Project name</label>
          <input id="name" name="name" required maxLength={120} value={fields.name} onChange={edit('name')} placeholder="Habit tracker" />
        </div>
        <div>
          <label htmlFor="framework">Framework</label>
          <select id="framework" name="framework" value={fields.framework} onChange={edit('framework')}>
            {frameworks.map((f) => <option key={f.name} value={f.name}>{f.label}</option>)}
          </select>
        </div>
      </div>
      <details className="muted">
        <summary>How this form calls the API</summary>
        <label><input type="radio" name="via" checked={via === 'edge'} onChange={() => setVia('edge')} /> create-project edge function</label>{' '}
        <label><input type="radio" name="via" checked={via === 'route'} onChange={() => setVia('route')} /> route handler + SDK</label>
      </details>
      <div>
        <button type="submit" className="primary">{pending ? 'Creating…' : 'Create project'}</button>
      </div>
      {created ? (
        <p data-testid="created" className="success">
          Created <Link href={`/projects/${created.projectId}`}>{created.name}</Link>: its first build is running.
        </p>
      ) : null}
      <ErrorBox error={error} />
    </form>
  );
}
