"use client";

import { useRouter } from "next/navigation";
import { api } from "@/lib/api/client";

/** Ends this browser's session (or, `everywhere`, every session of the account) on the server, then the sign-in page. */
export function SignOutButton({ everywhere = false, className }: { everywhere?: boolean; className?: string }) {
  const router = useRouter();
  async function signOut() {
    try {
      await (everywhere ? api.signOutEverywhere() : api.signOut());
    } finally {
      router.push("/admin/sign-in");
      router.refresh();
    }
  }
  return (
    <button type="button" className={className} onClick={() => void signOut()}>
      {everywhere ? "Sign out everywhere" : "Sign out"}
    </button>
  );
}
