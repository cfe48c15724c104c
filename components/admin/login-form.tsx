"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";

export function LoginForm({ initialToken, next }: { initialToken: string; next: string }) {
  const router = useRouter();
  const [token, setToken] = useState(initialToken);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function signIn(event: React.FormEvent) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      const response = await fetch("/api/admin/session", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ token }),
      });
      if (response.ok) return router.push(next);
      const body = await response.json().catch(() => null);
      setError(body?.error?.message ?? `The server answered ${response.status}.`);
    } catch {
      setError("The server cannot be reached. Check that it is running, then try again.");
    } finally {
      setPending(false);
    }
  }

  return (
    <section className="narrow" aria-labelledby="login-heading">
      <h1 id="login-heading">Admin sign-in</h1>
      <p className="muted">
        Admins upload new feeds. Sign in with the admin token (the <code>ADMIN_TOKEN</code> setting, or the sign-in link the server
        printed when it started).
      </p>
      <form onSubmit={signIn} className="stack">
        <label>
          Admin token
          <input type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="current-password" required />
        </label>
        <button type="submit" className="button-primary" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
