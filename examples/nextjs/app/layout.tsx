import type { ReactNode } from 'react';
import { getSession } from '@/lib/session';
import { SignOutButton } from './components';
import './styles.css';

export const metadata = { title: 'projects-core — NextJS example' };

export default async function RootLayout({ children }: { children: ReactNode }) {
  const session = await getSession();
  return (
    <html lang="en">
      <body>
        <header>
          <a href="/" className="brand">projects-core</a>
          {session ? (
            <span className="who">
              signed in as <strong>{session.email}</strong> <SignOutButton />
            </span>
          ) : null}
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
