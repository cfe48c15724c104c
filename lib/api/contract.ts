import { z } from "zod";
import { acknowledgeInput, incidentView, MAX_LISTED_STORES, muteInput, muteView, ruleInput, ruleView, sampleResults } from "./views/alerts";
import {
  apiKeyView,
  KEY_SCOPES,
  linkDelivery,
  MEMBER_ROLES,
  PERSON_ROLES,
  personView,
  teamMemberView,
  viewerSchema,
  type Access,
} from "./views/auth";
import type { BodyLimit } from "./body";
import { FEED_KINDS } from "./views/feed-kinds";
import { feedLoadResult, importEntry } from "./views/feeds";
import { fleetNowView, fleetPeriodsView } from "./views/fleet";
import { directoryPage, directoryQuery, ownerView, storeIdsBody } from "./views/owners";
import { REPORT_HEADER } from "../uptime/figures";
import {
  dataStatus,
  ingestResult,
  reportOverview,
  reportRowsPage,
  reportStatusResponse,
  reportSummary,
  storeHistoryQuery,
  storeHistoryView,
  storeTimelineQuery,
  storeTimelineView,
  triggerReportBody,
  reportRowsQuery,
  reportSpreadsheetQuery,
  SPREADSHEET_HEADER,
} from "./views/reports";

// Every HTTP operation of the app, declared once: who may call it, what it takes and what it answers. Route
// handlers are made from these (lib/api/respond.ts `route`), which check access and parse the input; the
// OpenAPI document (/openapi.json, lib/api/openapi.ts) is generated from them.

export type Method = "GET" | "POST" | "PUT" | "DELETE";

export interface Answer {
  description: string;
  /** A JSON body of this shape. */
  json?: z.ZodType;
  /** Another content type and its shape (CSV, Prometheus text). */
  content?: { type: string; schema: z.ZodType };
  headers?: Record<string, string>;
}

export interface Operation {
  method: Method;
  /** The path as OpenAPI writes it: /api/reports/{id}. */
  path: string;
  tag: "Reports (public API)" | "Dashboard" | "Stores" | "Alerts" | "Feeds" | "Accounts and keys" | "Administration" | "Operations";
  summary: string;
  description?: string;
  /**
   * Who may call it (lib/auth/authorize.ts): checked by the route wrapper before the handler runs. public:
   * anyone (sign-in, health, the API description); "reports-or-link": reports access, or a scheduled report's
   * signed link.
   */
  access: Access | "public" | "reports-or-link";
  params?: z.ZodObject;
  query?: z.ZodObject;
  /**
   * Path or query parameters its handler checks in its own words, control characters included (the report API's
   * report ids: invalid_report_id); the route wrapper checks every other one, and refuses one that is not text.
   */
  checkedByHandler?: readonly string[];
  /** A JSON body, parsed by the route wrapper through the bounded reader (at most `bodyBytes`, else 4 KB). */
  body?: z.ZodType;
  bodyBytes?: number;
  /**
   * A body streamed to its handler rather than read whole as a small one: "stream" (the poll API: any framing, at
   * most API_BODY_MAX_BYTES) or "route" (uploads: the handler bounds it, and records a refused file).
   */
  bodyStreamed?: "stream" | "route";
  /**
   * A body the handler reads itself, by content type, for the description: a file, CSV, a form, or JSON whose
   * errors are worded by its handler (the public API's and sign-in's).
   */
  rawBody?: Record<string, z.ZodType>;
  responses: Record<number, Answer>;
  /** Errors it answers besides those its access and input imply (400, 401, 403, 404, 503). */
  errors?: number[];
}

// No length limit here: each handler checks its ids in its own words (a report id's 400 is the API's invalid_report_id).
const id = z.object({ id: z.string().meta({ description: "The report's, store's, incident's, rule's, key's or person's id" }) });
const slug = z.object({ slug: z.string().meta({ description: "The owner's slug" }) });
const slugAndId = slug.extend({ id: z.string().meta({ description: "The person's id" }) });
/** A password link's answer: `link` to hand over (null when it was e-mailed), and how it went. */
const linkAnswer = { link: z.string().nullable(), delivery: linkDelivery };
const ok = z.object({ ok: z.literal(true) });
const noBody = (description: string): Answer => ({ description });
const csv = (description: string): Answer => ({
  description,
  content: { type: "text/csv", schema: z.string().meta({ example: `${REPORT_HEADER.join(",")}\n` }) },
});
const redirect = (description: string): Answer => ({ description, headers: { Location: "Where the browser goes next" } });
const form = (fields: Record<string, z.ZodType>) => ({ "application/x-www-form-urlencoded": z.object(fields) });
const pollsCsv = z.string().meta({ description: "store_id,status,timestamp_utc lines, the polls feed's header first" });

const op = <O extends Operation>(o: O) => o;

/** A rule's body: room for its MAX_LISTED_STORES store ids at their longest (128 characters, quoted, a comma), and the rest. */
const RULE_BODY_BYTES = MAX_LISTED_STORES * 131 + 16 * 1024;

/** POST /api/admin/session's body. */
export const signInBody = z.union([
  z.object({ token: z.string().min(1).max(1000) }),
  z.object({ email: z.string().min(3).max(320), password: z.string().min(1).max(1000) }),
]);

export const operations = {
  triggerReport: op({
    method: "POST",
    path: "/trigger_report",
    tag: "Reports (public API)",
    access: "reports",
    summary: "Start a report",
    description:
      "Records a report and queues it; answers at once with its id. Without a body the report ends at the newest poll; " +
      'with {"as_of": "<ISO 8601>"} it ends then.',
    rawBody: { "application/json": triggerReportBody },
    responses: { 202: { description: "The report is queued", json: z.object({ report_id: z.string() }) } },
    errors: [413, 429],
  }),
  getReport: op({
    method: "GET",
    path: "/get_report",
    tag: "Reports (public API)",
    access: "reports",
    summary: "A report's status, or its CSV",
    description: "The status as JSON; with Accept: text/csv or format=csv, the CSV once the report is complete (202 while it runs).",
    // report_id is checked by the handler, whose errors (missing_report_id, invalid_report_id) are the API's.
    checkedByHandler: ["report_id"],
    query: z.object({
      report_id: z
        .string()
        .optional()
        .meta({ description: "The id POST /trigger_report answered", param: { required: true } }),
      format: z.string().optional().meta({ description: "csv: the CSV, as Accept: text/csv asks" }),
    }),
    responses: {
      200: { ...csv("The status (JSON), or the CSV of the caller's stores (text/csv)"), json: reportStatusResponse },
      202: { description: "CSV asked for while the report runs", json: z.object({ status: z.literal("Running") }) },
    },
    errors: [404],
  }),
  getReportFile: op({
    method: "GET",
    path: "/get_report_file/{id}",
    tag: "Reports (public API)",
    access: "reports-or-link",
    summary: "A complete report's CSV",
    description:
      "The caller's stores only, same header and order. A scheduled report's signed link (rule, scope, expires, signature) needs no credentials.",
    params: id,
    checkedByHandler: ["id"],
    query: z.object({
      rule: z.string().optional(),
      scope: z.string().optional(),
      expires: z.string().optional(),
      signature: z.string().optional().meta({ description: "With rule, scope and expires: a scheduled report's signed link" }),
    }),
    responses: { 200: csv("The report's CSV, as an attachment") },
    errors: [409],
  }),

  listReports: op({
    method: "GET",
    path: "/api/reports",
    tag: "Dashboard",
    access: "reports",
    summary: "The newest reports, and whether any data is loaded",
    responses: { 200: { description: "Newest first", json: z.object({ reports: z.array(reportSummary), data: dataStatus }) } },
  }),
  reportOverview: op({
    method: "GET",
    path: "/api/reports/{id}",
    tag: "Dashboard",
    access: "reports",
    summary: "A report's state and, once complete, its figures over the caller's stores",
    params: id,
    responses: { 200: { description: "The report", json: reportOverview } },
  }),
  reportRows: op({
    method: "GET",
    path: "/api/reports/{id}/rows",
    tag: "Dashboard",
    access: "reports",
    summary: "One page of a report's rows, sorted and filtered",
    params: id,
    query: reportRowsQuery,
    responses: { 200: { description: "The page", json: reportRowsPage } },
  }),
  reportSpreadsheet: op({
    method: "GET",
    path: "/api/reports/{id}/spreadsheet",
    tag: "Dashboard",
    access: "reports",
    summary: "A complete report as a spreadsheet: names, addresses and owners, the table's subset, search and order applied",
    description:
      "Every row GET /api/reports/{id}/rows gives for the same sort, dir, q and only, with the store directory's name, address and " +
      "owner first; headers in words with their units, UTF-8 with a byte-order mark, text cells that a spreadsheet would run as a " +
      "formula written with a leading apostrophe. The file is named for the report's week: store-uptime_<from>_to_<as-of date>.csv.",
    params: id,
    query: reportSpreadsheetQuery,
    responses: {
      200: {
        description: "The spreadsheet, as an attachment",
        content: { type: "text/csv", schema: z.string().meta({ example: `\uFEFF${SPREADSHEET_HEADER.join(",")}\n` }) },
      },
    },
    errors: [409],
  }),
  fleetNow: op({
    method: "GET",
    path: "/api/fleet/now",
    tag: "Dashboard",
    access: "reports",
    summary: "The caller's stores now: how many are up, down and without data, and those down or silent, since when and for how long",
    description:
      "Now is the newest poll of any store. A store is down when its last poll said inactive, since its run of inactive polls began " +
      "(nearest poll); it has no data when it is open and its last poll is more than 90 minutes old. How long: business time only.",
    responses: { 200: { description: "The stores now", json: fleetNowView } },
  }),
  fleetPeriods: op({
    method: "GET",
    path: "/api/fleet/periods",
    tag: "Dashboard",
    access: "reports",
    summary: "The caller's stores over complete local days: this week against the 7 days before, 30 and 90 days, 12 weeks, daily bars",
    description:
      "Each store's days are its local calendar days before its local date of now, counted within business hours by nearest poll, as " +
      "the report counts them.",
    responses: { 200: { description: "The periods", json: fleetPeriodsView } },
  }),
  storeTimeline: op({
    method: "GET",
    path: "/api/stores/{id}/timeline",
    tag: "Stores",
    access: "reports",
    summary: "A store's week: hours, polls, counted spans and figures",
    params: id,
    query: storeTimelineQuery,
    responses: { 200: { description: "The week", json: storeTimelineView } },
  }),
  storeHistory: op({
    method: "GET",
    path: "/api/stores/{id}/history",
    tag: "Stores",
    access: "reports",
    summary: "Business-hours uptime per local date, up to 90 days",
    params: id,
    query: storeHistoryQuery,
    responses: { 200: { description: "One entry per local date", json: storeHistoryView } },
  }),

  listIncidents: op({
    method: "GET",
    path: "/api/alerts",
    tag: "Alerts",
    access: "reports",
    summary: "Incidents of the caller's stores, open ones first",
    query: z.object({ store: z.string().max(128).optional().meta({ description: "One store's only" }) }),
    responses: {
      200: {
        description: "At most 200 incidents, and the mutes in force of the same stores",
        json: z.object({ incidents: z.array(incidentView), mutes: z.array(muteView) }),
      },
    },
  }),
  acknowledgeIncident: op({
    method: "POST",
    path: "/api/alerts/incidents/{id}/acknowledge",
    tag: "Alerts",
    access: "reports",
    summary: "Acknowledge an open incident, with an optional note",
    description:
      "Records who (the signed-in person, the key, or anonymous in open mode) and when. Idempotent: acknowledging it again keeps " +
      "the first. An incident of a store outside the caller's is a 404; a resolved one nobody acknowledged is a 409.",
    params: id,
    body: acknowledgeInput,
    responses: { 200: { description: "The incident", json: incidentView } },
    errors: [409],
  }),
  muteStore: op({
    method: "PUT",
    path: "/api/stores/{id}/mute",
    tag: "Alerts",
    access: "reports",
    summary: "Mute a store's notifications for a while",
    description:
      "Its incidents still open and resolve; no notification of them is sent, to any channel, until the mute ends (each is " +
      "recorded as skipped, with who muted and until when). At most 30 days; muting again replaces the mute.",
    params: id,
    body: muteInput,
    responses: { 200: { description: "The mute", json: muteView } },
  }),
  unmuteStore: op({
    method: "DELETE",
    path: "/api/stores/{id}/mute",
    tag: "Alerts",
    access: "reports",
    summary: "End a store's mute now",
    params: id,
    responses: { 204: noBody("Not muted (or was not)") },
  }),
  listRules: op({
    method: "GET",
    path: "/api/alerts/rules",
    tag: "Alerts",
    access: "account",
    summary: "The alert rules the caller manages",
    responses: { 200: { description: "The rules", json: z.object({ rules: z.array(ruleView) }) } },
  }),
  createRule: op({
    method: "POST",
    path: "/api/alerts/rules",
    tag: "Alerts",
    access: "account",
    summary: "A new alert rule or scheduled report",
    body: ruleInput,
    bodyBytes: RULE_BODY_BYTES,
    responses: { 201: { description: "The rule", json: ruleView } },
    errors: [409, 413],
  }),
  updateRule: op({
    method: "PUT",
    path: "/api/alerts/rules/{id}",
    tag: "Alerts",
    access: "account",
    summary: "Replace a rule's settings",
    params: id,
    body: ruleInput,
    bodyBytes: RULE_BODY_BYTES,
    responses: { 200: { description: "The rule", json: ruleView } },
    errors: [413],
  }),
  deleteRule: op({
    method: "DELETE",
    path: "/api/alerts/rules/{id}",
    tag: "Alerts",
    access: "account",
    summary: "Remove a rule (its notifications not yet sent fail)",
    params: id,
    responses: { 204: noBody("Removed") },
  }),
  testRule: op({
    method: "POST",
    path: "/api/alerts/rules/{id}/test",
    tag: "Alerts",
    access: "account",
    summary: "Send a sample notification to each of a rule's channels",
    description: 'id "default": the environment\'s rule (admins only). At most 20 an hour per caller.',
    params: id,
    responses: { 200: { description: "What each receiver said", json: sampleResults } },
    errors: [429],
  }),

  postPolls: op({
    method: "POST",
    path: "/api/polls",
    tag: "Feeds",
    access: "ingest",
    summary: "Push polls",
    description:
      "A JSON array of {store_id, timestamp_utc, status} or CSV (Content-Type: text/csv), checked by the polls feed's rules and merged: " +
      "idempotent on (store_id, timestamp_utc). All or nothing: one bad poll refuses the request, naming its item and field.",
    bodyStreamed: "stream",
    rawBody: {
      "application/json": z.array(
        z.object({ store_id: z.union([z.string(), z.number()]), timestamp_utc: z.string(), status: z.enum(["active", "inactive"]) }),
      ),
      "text/csv": pollsCsv,
    },
    responses: { 200: { description: "Counted", json: ingestResult } },
    errors: [413, 422],
  }),
  upload: op({
    method: "POST",
    path: "/api/admin/uploads",
    tag: "Feeds",
    access: "admin",
    summary: "Upload one feed file",
    description: "The file is the body, streamed into the loader; all or nothing, recorded in the import log.",
    query: z.object({
      name: z.string().min(1).max(255).meta({ description: "The file's name" }),
      kind: z.enum(FEED_KINDS).optional().meta({ description: "Its feed; by default told from its name or header" }),
    }),
    bodyStreamed: "route",
    rawBody: { "text/csv": z.string() },
    responses: { 200: { description: "Loaded", json: feedLoadResult } },
    errors: [413, 422],
  }),
  imports: op({
    method: "GET",
    path: "/api/admin/imports",
    tag: "Feeds",
    access: "admin",
    summary: "The import log, newest first",
    responses: { 200: { description: "The last 50", json: z.object({ imports: z.array(importEntry) }) } },
  }),

  account: op({
    method: "GET",
    path: "/api/account",
    tag: "Accounts and keys",
    access: "public",
    summary: "Who is signed in on this request",
    responses: { 200: { description: "The bootstrap admin, a person (with their owners), or nobody", json: viewerSchema } },
  }),
  signIn: op({
    method: "POST",
    path: "/api/admin/session",
    tag: "Accounts and keys",
    access: "public",
    summary: "Sign in: the admin token, or a person's e-mail and password",
    rawBody: { "application/json": signInBody },
    responses: { 204: { description: "Signed in", headers: { "Set-Cookie": "The session cookie" } } },
    errors: [401, 403, 429],
  }),
  signOut: op({
    method: "DELETE",
    path: "/api/admin/session",
    tag: "Accounts and keys",
    access: "public",
    summary: "Sign out: the sessions this request carries end",
    responses: { 204: noBody("Signed out") },
    errors: [401, 403],
  }),
  signOutEverywhere: op({
    method: "DELETE",
    path: "/api/admin/sessions",
    tag: "Accounts and keys",
    access: "public",
    summary: "Sign out everywhere: every session of the signed-in account ends",
    responses: { 204: noBody("Signed out everywhere") },
    errors: [401, 403],
  }),
  signInForm: op({
    method: "POST",
    path: "/admin/login",
    tag: "Accounts and keys",
    access: "public",
    summary: "The sign-in form",
    rawBody: form({
      email: z.string().optional(),
      password: z.string().optional(),
      token: z.string().optional(),
      next: z.string().optional(),
    }),
    responses: { 303: redirect("To `next` when it is a page of this site, else home; to the sign-in page saying why not") },
    errors: [429],
  }),
  signInLink: op({
    method: "GET",
    path: "/admin/login",
    tag: "Accounts and keys",
    access: "public",
    summary: "The admin's sign-in link (or, without a token, the sign-in page)",
    query: z.object({ token: z.string().optional(), next: z.string().optional() }),
    checkedByHandler: ["next"],
    responses: { 303: redirect("Signed in and on to `next`, or to the sign-in page") },
  }),
  passwordLink: op({
    method: "GET",
    path: "/account/password",
    tag: "Accounts and keys",
    access: "public",
    summary: "Open a password link (an invitation or a reset)",
    query: z.object({ token: z.string().optional() }),
    responses: { 303: redirect("To the form; the token is kept in a short-lived cookie, not the address") },
  }),
  setPassword: op({
    method: "POST",
    path: "/account/password",
    tag: "Accounts and keys",
    access: "public",
    summary: "Choose a password through a link",
    rawBody: form({ password: z.string(), confirm: z.string() }),
    responses: { 303: redirect("To sign in, or back to the form saying why not") },
  }),
  listKeys: op({
    method: "GET",
    path: "/api/keys",
    tag: "Accounts and keys",
    access: "account",
    summary: "The service keys the signed-in account may manage",
    responses: { 200: { description: "The keys", json: z.object({ keys: z.array(apiKeyView) }) } },
  }),
  createKey: op({
    method: "POST",
    path: "/api/keys",
    tag: "Accounts and keys",
    access: "account",
    summary: "A new service key, answered once with its secret",
    body: z.object({ name: z.string().trim().min(1).max(100), scope: z.enum(KEY_SCOPES), owner: z.string().max(40).optional() }),
    responses: { 201: { description: "The key: `key` is shown this once", json: z.object({ key: z.string(), view: apiKeyView }) } },
    errors: [409],
  }),
  revokeKey: op({
    method: "DELETE",
    path: "/api/keys/{id}",
    tag: "Accounts and keys",
    access: "account",
    summary: "Revoke a key at once (it stays listed, marked revoked)",
    params: id,
    responses: { 204: noBody("Revoked") },
  }),

  listOwners: op({
    method: "GET",
    path: "/api/admin/owners",
    tag: "Administration",
    access: "admin",
    summary: "The owners, with how many stores and members each has",
    responses: { 200: { description: "The owners", json: z.object({ owners: z.array(ownerView) }) } },
  }),
  createOwner: op({
    method: "POST",
    path: "/api/admin/owners",
    tag: "Administration",
    access: "admin",
    summary: "A new owner",
    body: z.object({ slug: z.string().min(1).max(40), name: z.string().trim().min(1).max(200) }),
    responses: { 201: { description: "The owner", json: ownerView } },
    errors: [409],
  }),
  deleteOwner: op({
    method: "DELETE",
    path: "/api/admin/owners/{slug}",
    tag: "Administration",
    access: "admin",
    summary: "Delete an owner; its stores stay, without an owner",
    params: slug,
    responses: { 204: noBody("Deleted") },
  }),
  assignStores: op({
    method: "POST",
    path: "/api/admin/owners/{slug}/stores",
    tag: "Administration",
    access: "admin",
    summary: "Make these stores the owner's",
    params: slug,
    body: storeIdsBody,
    bodyBytes: 1024 * 1024,
    responses: { 200: { description: "How many were assigned", json: z.object({ assigned: z.number().int() }) } },
    errors: [413],
  }),
  removeStores: op({
    method: "DELETE",
    path: "/api/admin/owners/{slug}/stores",
    tag: "Administration",
    access: "admin",
    summary: "Take these stores from the owner (they stay in the directory, without an owner)",
    params: slug,
    body: storeIdsBody,
    bodyBytes: 1024 * 1024,
    responses: { 200: { description: "How many were the owner's and are no longer", json: z.object({ removed: z.number().int() }) } },
    errors: [413],
  }),
  storeDirectory: op({
    method: "GET",
    path: "/api/admin/stores",
    tag: "Administration",
    access: "admin",
    summary: "Search the store directory by name or id: stores without an owner by default, or an owner's, a page at a time",
    query: directoryQuery,
    responses: { 200: { description: "By name, then id", json: directoryPage } },
  }),
  listPeople: op({
    method: "GET",
    path: "/api/admin/people",
    tag: "Administration",
    access: "admin",
    summary: "Everyone with an account",
    responses: { 200: { description: "The people", json: z.object({ people: z.array(personView) }) } },
  }),
  invitePerson: op({
    method: "POST",
    path: "/api/admin/people",
    tag: "Administration",
    access: "admin",
    summary: "Invite someone: their account, and the link with which they choose a password (shown once)",
    body: z.object({
      email: z.email().max(320),
      name: z.string().trim().min(1).max(200),
      role: z.enum(PERSON_ROLES),
      owner: z.string().max(40).optional(),
    }),
    responses: {
      201: {
        description: "The person, and their link (e-mailed when SMTP_URL is set)",
        json: z.object({ person: personView, ...linkAnswer }),
      },
    },
    errors: [409],
  }),
  removePerson: op({
    method: "DELETE",
    path: "/api/admin/people/{id}",
    tag: "Administration",
    access: "admin",
    summary: "Delete an account; its sessions end and its keys are revoked",
    params: id,
    responses: { 204: noBody("Deleted") },
  }),
  resetPassword: op({
    method: "POST",
    path: "/api/admin/people/{id}/password-link",
    tag: "Administration",
    access: "admin",
    summary: "A new one-time link with which they choose a new password",
    params: id,
    responses: { 201: { description: "The link, shown once (e-mailed when SMTP_URL is set)", json: z.object(linkAnswer) } },
  }),
  setMemberRole: op({
    method: "PUT",
    path: "/api/admin/owners/{slug}/members/{id}",
    tag: "Administration",
    access: "admin",
    summary: "Make a member of the owner its manager, or a manager a plain member again",
    params: slugAndId,
    body: z.object({ role: z.enum(MEMBER_ROLES) }),
    responses: { 200: { description: "The member", json: teamMemberView } },
  }),

  listTeam: op({
    method: "GET",
    path: "/api/team/{slug}/members",
    tag: "Accounts and keys",
    access: "account",
    summary: "The owner's people, for its managers (and admins); another owner's answers 404, a plain member 403",
    params: slug,
    responses: { 200: { description: "The team", json: z.object({ members: z.array(teamMemberView) }) } },
  }),
  inviteToTeam: op({
    method: "POST",
    path: "/api/team/{slug}/members",
    tag: "Accounts and keys",
    access: "account",
    summary: "Invite someone to the owner's team: their account if new, and the link with which they choose a password",
    description: "The link is e-mailed when SMTP_URL is set, else answered to pass on; someone with a password already gets none.",
    params: slug,
    body: z.object({ email: z.email().max(320), name: z.string().trim().min(1).max(200) }),
    responses: {
      201: { description: "The member and how their link went", json: z.object({ member: teamMemberView, delivery: linkDelivery }) },
    },
    errors: [409],
  }),
  removeFromTeam: op({
    method: "DELETE",
    path: "/api/team/{slug}/members/{id}",
    tag: "Accounts and keys",
    access: "account",
    summary: "Take someone off the owner's team (their keys of it are revoked; an account left without an owner is deleted)",
    params: slugAndId,
    responses: { 204: noBody("Removed") },
    errors: [409],
  }),

  health: op({
    method: "GET",
    path: "/api/health",
    tag: "Operations",
    access: "public",
    summary: "Readiness, under its first name (see /api/health/ready)",
    responses: { 200: { description: "Ready", json: ok } },
  }),
  ready: op({
    method: "GET",
    path: "/api/health/ready",
    tag: "Operations",
    access: "public",
    summary: "Ready: the database answers and has every migration (else 503)",
    responses: { 200: { description: "Ready", json: ok } },
  }),
  live: op({
    method: "GET",
    path: "/api/health/live",
    tag: "Operations",
    access: "public",
    summary: "Live: the process serves HTTP, whatever the state of its database",
    responses: { 200: { description: "Live", json: ok } },
  }),
  metrics: op({
    method: "GET",
    path: "/metrics",
    tag: "Operations",
    access: "metrics",
    summary: "Prometheus metrics of every live process, and of the queue, reports and notifications now",
    responses: { 200: { description: "Prometheus text format 0.0.4", content: { type: "text/plain", schema: z.string() } } },
  }),
  openapi: op({
    method: "GET",
    path: "/openapi.json",
    tag: "Operations",
    access: "public",
    summary: "This description (OpenAPI 3.1); /docs shows it",
    responses: { 200: { description: "The OpenAPI document", json: z.record(z.string(), z.unknown()) } },
  }),
} satisfies Record<string, Operation>;

export type OperationName = keyof typeof operations;

/** What an operation answers when it succeeds (the JSON of its 200, 201 or 202), as a caller reads it. */
export type AnswerOf<N extends OperationName> = {
  [S in keyof Responses<N>]: Responses<N>[S] extends { json: infer J extends z.ZodType } ? z.output<J> : never;
}[keyof Responses<N>];
type Responses<N extends OperationName> = (typeof operations)[N]["responses"];

/** The JSON body an operation takes, as a caller writes it (defaults not yet applied). */
export type BodyOf<N extends OperationName> = (typeof operations)[N] extends { body: infer B extends z.ZodType } ? z.input<B> : never;

/** A pattern for the paths of a route written /api/reports/{id} (or, as route names write it, /api/reports/:id). */
export function pathPattern(route: string): RegExp {
  const escaped = route.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped.replace(/\{\w+\}|:\w+/g, "[^/]+")}$`);
}

let bodyLimits: [RegExp, BodyLimit][] | undefined;
/** How the operation at this path declares its body bounded (bodyBytes, bodyStreamed): the web server's front applies it. */
export function declaredBodyLimit(pathname: string): BodyLimit {
  bodyLimits ??= (Object.values(operations) as Operation[])
    .filter((o) => o.bodyBytes !== undefined || o.bodyStreamed !== undefined)
    .map((o) => [pathPattern(o.path), { bodyBytes: o.bodyBytes, bodyStreamed: o.bodyStreamed }]);
  return bodyLimits.find(([pattern]) => pattern.test(pathname))?.[1] ?? {};
}
