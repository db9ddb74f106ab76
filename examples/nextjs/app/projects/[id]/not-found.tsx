import Link from 'next/link';

export default function ProjectNotFound() {
  return (
    <section data-testid="not-found">
      <h1>Project not found</h1>
      <p>This project does not exist, or it belongs to another account.</p>
      <p><Link href="/">← Back to your projects</Link></p>
    </section>
  );
}
