import { api } from "@/lib/api/client";
import type { FeedLoadResult } from "@/lib/feeds/load";
import type { ImportEntry } from "@/lib/uploads/imports";

export const adminKeys = { imports: () => ["admin", "imports"] as const };

export const adminApi = {
  imports: () => api.get<{ imports: ImportEntry[] }>("/api/admin/imports"),
  /** Ends this browser's session on the server. */
  signOut: () => fetch("/api/admin/session", { method: "DELETE" }),
  /** Ends every admin session, in every browser. */
  signOutEverywhere: () => fetch("/api/admin/sessions", { method: "DELETE" }),
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
