// The browser's one fetch module: every call goes through `request`, which turns any failure into an ApiError
// (uploads go through XMLHttpRequest, for their progress, and answer the same way).
import type { RuleInput } from "./views/alerts";
import type { FeedLoadResult } from "./views/feeds";
import type { DirectoryQuery } from "./views/owners";
import type { ReportRowsQuery } from "./views/reports";
import type { AnswerOf, BodyOf } from "./contract";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { Accept: "application/json", ...init?.headers } });
  } catch {
    throw new ApiError(0, "unreachable", "The server cannot be reached. Check that it is running, then try again.");
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body?.error ?? {};
    throw new ApiError(response.status, error.code ?? "http_error", error.message ?? `The server answered ${response.status}.`);
  }
  return body as T;
}

export const api = {
  /** A JSON body sent with `method`; an answer without a body (204) gives null. */
  send: <T = null>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown) =>
    request<T>(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
    }),
  reports: () => request<AnswerOf<"listReports">>("/api/reports"),
  report: (id: string) => request<AnswerOf<"reportOverview">>(`/api/reports/${encodeURIComponent(id)}`),
  reportRows: (id: string, q: ReportRowsQuery) =>
    request<AnswerOf<"reportRows">>(
      `/api/reports/${encodeURIComponent(id)}/rows?${new URLSearchParams({ page: String(q.page), pageSize: String(q.pageSize), sort: q.sort, dir: q.dir, q: q.q, only: q.only })}`,
    ),
  fleetNow: () => request<AnswerOf<"fleetNow">>("/api/fleet/now"),
  fleetPeriods: () => request<AnswerOf<"fleetPeriods">>("/api/fleet/periods"),
  storeTimeline: (storeId: string, reportId?: string) =>
    request<AnswerOf<"storeTimeline">>(
      `/api/stores/${encodeURIComponent(storeId)}/timeline${reportId ? `?report=${encodeURIComponent(reportId)}` : ""}`,
    ),
  alerts: (storeId?: string) =>
    request<AnswerOf<"listIncidents">>(`/api/alerts${storeId ? `?${new URLSearchParams({ store: storeId })}` : ""}`),
  acknowledge: ({ id, note }: { id: string; note?: string }) =>
    api.send<AnswerOf<"acknowledgeIncident">>("POST", `/api/alerts/incidents/${encodeURIComponent(id)}/acknowledge`, note ? { note } : {}),
  muteStore: ({ storeId, mute }: { storeId: string; mute: BodyOf<"muteStore"> }) =>
    api.send<AnswerOf<"muteStore">>("PUT", `/api/stores/${encodeURIComponent(storeId)}/mute`, mute),
  unmuteStore: (storeId: string) => api.send("DELETE", `/api/stores/${encodeURIComponent(storeId)}/mute`),
  storeHistory: (storeId: string, days: number, reportId?: string) =>
    request<AnswerOf<"storeHistory">>(
      `/api/stores/${encodeURIComponent(storeId)}/history?${new URLSearchParams({ days: String(days), ...(reportId ? { report: reportId } : {}) })}`,
    ),
  triggerReport: () => request<AnswerOf<"triggerReport">>("/trigger_report", { method: "POST" }),
  rules: () => request<AnswerOf<"listRules">>("/api/alerts/rules"),
  saveRule: ({ id, rule }: { id?: string; rule: Partial<RuleInput> }) =>
    id
      ? api.send<AnswerOf<"updateRule">>("PUT", `/api/alerts/rules/${encodeURIComponent(id)}`, rule)
      : api.send<AnswerOf<"createRule">>("POST", "/api/alerts/rules", rule),
  removeRule: (id: string) => api.send("DELETE", `/api/alerts/rules/${encodeURIComponent(id)}`),
  testRule: (id: string) => api.send<AnswerOf<"testRule">>("POST", `/api/alerts/rules/${encodeURIComponent(id)}/test`),
  imports: () => request<AnswerOf<"imports">>("/api/admin/imports"),
  owners: () => request<AnswerOf<"listOwners">>("/api/admin/owners"),
  createOwner: (owner: BodyOf<"createOwner">) => api.send<AnswerOf<"createOwner">>("POST", "/api/admin/owners", owner),
  assignStores: (slug: string, storeIds: string[]) =>
    api.send<AnswerOf<"assignStores">>("POST", `/api/admin/owners/${encodeURIComponent(slug)}/stores`, { storeIds }),
  removeStores: (slug: string, storeIds: string[]) =>
    api.send<AnswerOf<"removeStores">>("DELETE", `/api/admin/owners/${encodeURIComponent(slug)}/stores`, { storeIds }),
  storeDirectory: (q: DirectoryQuery) =>
    request<AnswerOf<"storeDirectory">>(
      `/api/admin/stores?${new URLSearchParams({ q: q.q, owner: q.owner, page: String(q.page), pageSize: String(q.pageSize) })}`,
    ),
  people: () => request<AnswerOf<"listPeople">>("/api/admin/people"),
  invite: (invitation: BodyOf<"invitePerson">) => api.send<AnswerOf<"invitePerson">>("POST", "/api/admin/people", invitation),
  passwordLink: (id: string) => api.send<AnswerOf<"resetPassword">>("POST", `/api/admin/people/${encodeURIComponent(id)}/password-link`),
  removePerson: (id: string) => api.send("DELETE", `/api/admin/people/${encodeURIComponent(id)}`),
  setMemberRole: ({ slug, id, role }: { slug: string; id: string } & BodyOf<"setMemberRole">) =>
    api.send<AnswerOf<"setMemberRole">>("PUT", `/api/admin/owners/${encodeURIComponent(slug)}/members/${encodeURIComponent(id)}`, { role }),
  team: (slug: string) => request<AnswerOf<"listTeam">>(`/api/team/${encodeURIComponent(slug)}/members`),
  inviteToTeam: ({ slug, invitation }: { slug: string; invitation: BodyOf<"inviteToTeam"> }) =>
    api.send<AnswerOf<"inviteToTeam">>("POST", `/api/team/${encodeURIComponent(slug)}/members`, invitation),
  removeFromTeam: ({ slug, id }: { slug: string; id: string }) =>
    api.send("DELETE", `/api/team/${encodeURIComponent(slug)}/members/${encodeURIComponent(id)}`),
  keys: () => request<AnswerOf<"listKeys">>("/api/keys"),
  makeKey: (key: BodyOf<"createKey">) => api.send<AnswerOf<"createKey">>("POST", "/api/keys", key),
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
