import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { SignOutButton } from "@/components/admin/sign-out";
import { pageViewer } from "@/lib/auth/page-access";
import type { Viewer } from "@/lib/api/views/auth";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  // The default is the home's (a template applies to the pages below this segment, not to its own page).
  title: { default: "Your stores now · Store Monitor", template: "%s · Store Monitor" },
  description: "Uptime and downtime of restaurant stores within their business hours",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Rendered per request: every page's inline scripts carry that request's CSP nonce (see proxy.ts).
  await connection();
  // The menu is a convenience: with the database away the pages still render (and say what is wrong).
  const viewer = await pageViewer().catch((): Viewer => ({ kind: "anonymous", name: null, email: null, owners: [], manages: [] }));
  const signedIn = viewer.kind === "admin" || viewer.kind === "member";
  return (
    <html lang="en">
      <body>
        {/* The first Tab stop of every page: past the header and its menu, straight to the page's own content. */}
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <header className="site-header">
          <Link href="/" className="brand">
            Store Monitor
          </Link>
          <span className="tagline">uptime within business hours</span>
          <nav className="site-nav" aria-label="Main">
            <Link href="/">Now</Link>
            <Link href="/reports">Reports</Link>
            <Link href="/alerts">Alerts</Link>
            {(viewer.kind === "admin" || !signedIn) && <Link href="/admin/upload">Upload feeds</Link>}
            {viewer.kind === "admin" && <Link href="/admin/owners">Owners</Link>}
            {viewer.kind === "admin" && <Link href="/admin/people">People</Link>}
            {viewer.manages.length > 0 && <Link href="/team">Team</Link>}
            {signedIn && <Link href="/account/keys">Keys</Link>}
            <Link href="/docs">API</Link>
            {viewer.kind === "anonymous" && <Link href="/admin/sign-in">Sign in</Link>}
          </nav>
          {signedIn && (
            <div className="account-menu">
              <span className="account-name" title={viewer.email ?? undefined}>
                {viewer.name}
                {viewer.owners.length > 0 && <span className="account-owner"> · {viewer.owners.map((o) => o.name).join(", ")}</span>}
              </span>
              <SignOutButton className="link-button" />
            </div>
          )}
        </header>
        <Providers>
          <main id="main" tabIndex={-1} className="page">
            {children}
          </main>
        </Providers>
      </body>
    </html>
  );
}
