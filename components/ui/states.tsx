"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { ApiError } from "@/lib/api/client";

/** A failed request, told in words a person can act on. */
export function ErrorState({ error, what }: { error: unknown; what: string }) {
  const pathname = usePathname();
  const search = useSearchParams();
  const unreachable = error instanceof ApiError && error.code === "unreachable";
  const signIn = error instanceof ApiError && error.status === 401;
  // A person's session ended (or they never had one): told so, not the API's words about keys.
  const message = signIn
    ? "You are not signed in, or your session has ended."
    : error instanceof ApiError
      ? error.message
      : "Something went wrong.";
  const here = search.size ? `${pathname}?${search}` : pathname;
  return (
    <div className="notice notice-error" role="alert">
      <strong>{unreachable ? "Server unreachable" : signIn ? "Sign-in needed" : `Could not load ${what}`}</strong>
      <p>{message}</p>
      {signIn && (
        <p>
          <Link href={`/admin/login?next=${encodeURIComponent(here)}`}>Sign in</Link>
        </p>
      )}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.round(value * 100);
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className="progress-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  const shown = status === "Queued" ? "Running" : status;
  return <span className={`badge badge-${shown.toLowerCase()}`}>{shown}</span>;
}
