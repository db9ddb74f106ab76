import Link from 'next/link';
import { config } from '@/lib/config';
import { listProjects } from '@/lib/db';
import { getSession } from '@/lib/session';
import { NewProjectForm, SignInButton } from './components';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const session = await getSession();
  if (!session) {
    return (
      <section>
        <h1>Projects</h1>
        {config.devTools ? (
          <>
            <p>Local development: sign in as a demo user (a session signed with the local JWT secret).</p>
            <SignInButton />
          </>
        ) : (
          <p>Sign in with Supabase Auth to continue.</p>
        )}
      </section>
    );
  }
  const projects = await listProjects(session.userId);
  return (
    <section>
      <h1>Projects</h1>
      <NewProjectForm env={{ supabaseUrl: config.supabaseUrl, anonKey: config.anonKey, token: session.token }} />
      <table data-testid="projects">
        <thead>
          <tr><th>Name</th><th>Framework</th><th>Status</th><th>Created</th></tr>
        </thead>
        <tbody>
          {projects.map((p) => (
            <tr key={p.id} data-testid="project-row">
              <td><Link href={`/projects/${p.id}`}>{p.name}</Link></td>
              <td>{p.framework}</td>
              <td className={`status status-${p.build_status}`}>{p.build_status}</td>
              <td className="muted">{new Date(p.created_at).toLocaleString('en')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {projects.length === 0 ? <p className="muted">No projects yet.</p> : null}
    </section>
  );
}
