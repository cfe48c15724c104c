"use client";

import { useEffect, useRef } from "react";

/**
 * The printed sign-in link, /admin/sign-in#token=...: a fragment is never sent to a server, so the token reaches
 * no server or proxy log. Here it is taken from the address (and removed from it and from the history) and
 * posted, as the admin-token form would post it.
 */
export function TokenFromLink({ next }: { next?: string }) {
  const form = useRef<HTMLFormElement>(null);
  const token = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const found = /^#token=([^&]+)/.exec(window.location.hash)?.[1];
    if (!found || !form.current || !token.current) return;
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    try {
      token.current.value = decodeURIComponent(found);
    } catch {
      return; // not a token this server printed
    }
    form.current.requestSubmit();
  }, []);
  return (
    <form ref={form} method="post" action="/admin/login" hidden aria-hidden="true">
      {next && <input type="hidden" name="next" value={next} />}
      <input ref={token} type="hidden" name="token" />
    </form>
  );
}
