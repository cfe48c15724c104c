import type { Metadata } from "next";
import Link from "next/link";
import { connection } from "next/server";
import { Providers } from "./providers";
import "./globals.css";

export const metadata: Metadata = {
  title: "Store Monitor",
  description: "Uptime and downtime of restaurant stores within their business hours",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Rendered per request: every page's inline scripts carry that request's CSP nonce (see proxy.ts).
  await connection();
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <Link href="/" className="brand">
            Store Monitor
          </Link>
          <span className="tagline">uptime within business hours</span>
          <nav className="site-nav" aria-label="Main">
            <Link href="/">Reports</Link>
            <Link href="/admin/upload">Upload feeds</Link>
          </nav>
        </header>
        <Providers>
          <main className="page">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
