import { api } from "@/lib/api/client";
import type { ApiKeyView } from "@/lib/auth/api-keys";
import type { PersonView } from "@/lib/auth/people";
import type { FeedLoadResult } from "@/lib/feeds/load";
import type { OwnerView } from "@/lib/owners/owners";
import type { ImportEntry } from "@/lib/uploads/imports";

export const adminKeys = {
  imports: () => ["admin", "imports"] as const,
  owners: () => ["admin", "owners"] as const,
  people: () => ["admin", "people"] as const,
  keys: () => ["account", "keys"] as const,
};

export const adminApi = {
  imports: () => api.get<{ imports: ImportEntry[] }>("/api/admin/imports"),
  owners: () => api.get<{ owners: OwnerView[] }>("/api/admin/owners"),
  createOwner: (owner: { slug: string; name: string }) => api.send<OwnerView>("POST", "/api/admin/owners", owner),
  assignStores: (slug: string, storeIds: string[]) => api.send<{ assigned: number }>("POST", `/api/admin/owners/${encodeURIComponent(slug)}/stores`, { storeIds }),
  people: () => api.get<{ people: PersonView[] }>("/api/admin/people"),
  invite: (invitation: { email: string; name: string; role: "admin" | "member"; owner?: string }) =>
    api.send<{ person: PersonView; link: string }>("POST", "/api/admin/people", invitation),
  passwordLink: (id: string) => api.send<{ link: string }>("POST", `/api/admin/people/${encodeURIComponent(id)}/password-link`),
  removePerson: (id: string) => api.send("DELETE", `/api/admin/people/${encodeURIComponent(id)}`),
  keys: () => api.get<{ keys: ApiKeyView[] }>("/api/keys"),
  makeKey: (key: { name: string; scope: "reports" | "ingest"; owner?: string }) => api.send<{ key: string; view: ApiKeyView }>("POST", "/api/keys", key),
  revokeKey: (id: string) => api.send("DELETE", `/api/keys/${encodeURIComponent(id)}`),
  /** Ends this browser's sessions on the server. */
  signOut: () => api.send("DELETE", "/api/admin/session"),
  /** Ends every session of the signed-in account, in every browser. */
  signOutEverywhere: () => api.send("DELETE", "/api/admin/sessions"),
};

export type UploadOutcome = { ok: true; result: FeedLoadResult } | { ok: false; message: string };

/** Sends one file as the request body, reporting upload progress (which fetch cannot). */
export function uploadFeed(file: File, kind: string | undefined, onProgress: (fraction: number) => void): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ name: file.name, ...(kind ? { kind } : {}) });
    xhr.open("POST", `/api/admin/uploads?${query}`);
    xhr.setRequestHeader("Content-Type", "text/csv");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      const body = (() => {
        try {
          return JSON.parse(xhr.responseText);
        } catch {
          return null;
        }
      })();
      if (xhr.status === 200) resolve({ ok: true, result: body as FeedLoadResult });
      else resolve({ ok: false, message: body?.error?.message ?? `The server answered ${xhr.status}.` });
    };
    xhr.onerror = () => resolve({ ok: false, message: "The server cannot be reached. Check that it is running, then try again." });
    xhr.send(file);
  });
}
