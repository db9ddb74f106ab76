import { config } from '@/lib/config';
import { listFrameworks, listProjects } from '@/lib/db';
import { getSession } from '@/lib/session';
import { SignInButton } from './components';
import { NewProjectForm } from './new-project-form';
import { ProjectList } from './project-list';

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
  const env = { supabaseUrl: config.supabaseUrl, anonKey: config.anonKey, token: session.token };
  const [frameworks, { projects, cursor }] = await Promise.all([listFrameworks(session.userId), listProjects(session.userId)]);
  return (
    <section>
      <h1>Projects</h1>
      <NewProjectForm env={env} frameworks={frameworks} />
      <h2>Your projects</h2>
      <ProjectList env={env} initial={projects} cursor={cursor} frameworks={frameworks} />
    </section>
  );
}
