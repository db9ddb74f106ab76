import { notFound, redirect } from 'next/navigation';
import { config } from '@/lib/config';
import { getProject } from '@/lib/db';
import { getSession } from '@/lib/session';
import { ProjectView } from '../../components';

export const dynamic = 'force-dynamic';

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const session = await getSession();
  if (!session) redirect('/');
  const { id } = await params;
  // Row-level security: another user's project reads as missing.
  const project = await getProject(session.userId, id);
  if (!project) notFound();
  return (
    <ProjectView
      env={{ supabaseUrl: config.supabaseUrl, anonKey: config.anonKey, token: session.token }}
      project={{ id: project.id, name: project.name, framework: project.framework, buildId: project.current_build_id }}
      devTools={config.devTools}
    />
  );
}
