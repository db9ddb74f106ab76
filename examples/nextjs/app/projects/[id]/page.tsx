import { notFound, redirect } from 'next/navigation';
import { config } from '@/lib/config';
import { getProject } from '@/lib/db';
import { getSession } from '@/lib/session';
import { ProjectView } from './project-view';

export const dynamic = 'force-dynamic';

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await getSession();
  if (!session) redirect('/');
  const { id } = await params;
  // Row-level security: another user's project reads as missing.
  const page = await getProject(session.userId, id);
  if (!page) notFound();
  return (
    <ProjectView
      env={{ supabaseUrl: config.supabaseUrl, anonKey: config.anonKey, token: session.token }}
      project={page.project}
      builds={page.builds}
      cursor={page.cursor}
      devTools={config.devTools}
    />
  );
}
