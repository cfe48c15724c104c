import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponseObject } from "zod-openapi";
import { errorBodySchema } from "./error-body";
import { operations, type Answer, type Operation } from "./contract";

// The OpenAPI 3.1 description of the app, generated from its declared operations (lib/api/contract.ts).

const SECURITY_SCHEMES = {
  apiKey: {
    type: "http",
    scheme: "bearer",
    description:
      "A service key: from API_KEYS (ingest:, reports:, reports@<owner>:, metrics:) or made on the Keys page. Authorization: Bearer <key>.",
  },
  adminSession: {
    type: "apiKey",
    in: "cookie",
    name: "sm_session",
    description: "The bootstrap admin's session, after signing in with the admin token (POST /api/admin/session).",
  },
  personSession: {
    type: "apiKey",
    in: "cookie",
    name: "sm.session_token",
    description:
      "A person's session (an admin or an owner's member), after signing in with e-mail and password (named __Secure-sm.session_token over HTTPS).",
  },
  reportLink: {
    type: "apiKey",
    in: "query",
    name: "signature",
    description: "A scheduled report's signed link (with rule, scope and expires): that report's CSV, for 7 days, without credentials.",
  },
} as const;

type Scheme = keyof typeof SECURITY_SCHEMES;
const SESSIONS: Scheme[] = ["adminSession", "personSession"];

/** Who may call: each alternative is one scheme; `{}` (none) where open mode lets anyone read reports. */
function security(access: Operation["access"]): Record<string, string[]>[] | undefined {
  const one = (schemes: Scheme[]) => schemes.map((s) => ({ [s]: [] }));
  switch (access) {
    case "public":
      return [];
    case "reports":
      return [...one(["apiKey", ...SESSIONS]), {}];
    case "reports-or-link":
      return [...one(["apiKey", ...SESSIONS, "reportLink"]), {}];
    case "ingest":
    case "metrics":
      return one(["apiKey", ...SESSIONS]);
    case "admin":
    case "account":
      return one(SESSIONS);
  }
}

const ERRORS: Record<number, string> = {
  400:
    "A parameter, field or body is not valid: the message names it and its value. Every string taken (path, query, " +
    "JSON at any depth, form field) must be text: a control character (U+0000-U+001F, U+007F) or a lone surrogate is refused",
  401: "No credentials, or credentials that are not valid",
  403: "Credentials without this right, or a request from another site",
  404: "Not found, or not among the caller's stores",
  409: "In the way of something else (that exists already; a report not complete)",
  411: "A small JSON body without a Content-Length",
  413: "The body is larger than its limit",
  422: "A file or poll whose rows are not valid: the problems name file, line, field and value; nothing was loaded",
  429: "Too many requests: wait Retry-After seconds",
  503: "The database is unavailable or not answering, or (pushing polls) another load has held the table for 10 s: try again after Retry-After seconds",
};

function errorStatuses(o: Operation): number[] {
  const statuses = new Set([...(o.errors ?? []), 503]);
  const takesBody = Boolean(o.body || o.rawBody);
  if (o.params || o.query || takesBody) statuses.add(400);
  if (o.params) statuses.add(404);
  if (o.access !== "public") [401, 403].forEach((s) => statuses.add(s));
  if (takesBody) statuses.add(413);
  // The web server's front asks small bodies for their length (streamed ones may come in any framing).
  if (takesBody && o.bodyStreamed === undefined) statuses.add(411);
  return [...statuses].sort();
}

function answer(a: Answer): ZodOpenApiResponseObject {
  const content: NonNullable<ZodOpenApiResponseObject["content"]> = {};
  if (a.json) content["application/json"] = { schema: a.json };
  if (a.content) content[a.content.type] = { schema: a.content.schema };
  return {
    description: a.description,
    ...(Object.keys(content).length ? { content } : {}),
    ...(a.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(a.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]),
          ),
        }
      : {}),
  };
}

function operationObject(name: string, o: Operation): ZodOpenApiOperationObject {
  const requestBody = o.body
    ? { required: true, content: { "application/json": { schema: o.body } } }
    : o.rawBody
      ? { content: Object.fromEntries(Object.entries(o.rawBody).map(([type, schema]) => [type, { schema }])) }
      : undefined;
  const responses: Record<string, ZodOpenApiResponseObject> = Object.fromEntries(
    Object.entries(o.responses).map(([status, a]) => [status, answer(a)]),
  );
  for (const status of errorStatuses(o)) responses[status] = { $ref: "#/components/responses/Error" } as never;
  return {
    operationId: name,
    tags: [o.tag],
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    security: security(o.access),
    ...(o.params || o.query ? { requestParams: { ...(o.params ? { path: o.params } : {}), ...(o.query ? { query: o.query } : {}) } } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

let built: ReturnType<typeof createDocument> | undefined;

/** The document, built once per process. */
export function openApiDocument(): ReturnType<typeof createDocument> {
  if (built) return built;
  const paths: ZodOpenApiPathsObject = {};
  for (const [name, o] of Object.entries(operations) as [string, Operation][]) {
    paths[o.path] ??= {};
    (paths[o.path] as Record<string, ZodOpenApiOperationObject>)[o.method.toLowerCase()] = operationObject(name, o);
  }
  built = createDocument({
    openapi: "3.1.0",
    info: {
      title: "Store Monitor",
      version: "1",
      description:
        "Uptime and downtime of restaurant stores within their business hours, from hourly polls. " +
        "The report API (POST /trigger_report, GET /get_report, GET /get_report_file/{id}) is the public contract; " +
        "the rest serves the dashboard, pollers and operators. Every error answers in one shape (Error), with the request's id. " +
        "With no account, no key and no API_KEYS configured, reports are open to anyone (open mode).",
    },
    tags: [...new Set(Object.values(operations).map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: SECURITY_SCHEMES,
      responses: {
        Error: {
          description: Object.entries(ERRORS)
            .map(([status, text]) => `${status}: ${text}`)
            .join(". "),
          headers: {
            "X-Request-Id": { description: "The request's id, also in the body and the logs", schema: { type: "string" } },
            "Retry-After": { description: "With 429 and 503: seconds to wait", schema: { type: "string" } },
          },
          content: { "application/json": { schema: errorBodySchema } },
        },
      },
    },
  });
  return built;
}
