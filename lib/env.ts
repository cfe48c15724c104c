import { z } from "zod";
import { OWNER_SLUG } from "./text";

// The one place that reads process.env: every setting is named, typed and defaulted here.
const schema = z.object({
  DATABASE_URL: z.string().url().optional(),
  /**
   * A replica (or several behind one address: HAProxy's replicas port) for the read-heavy paths: report pages,
   * store pages and histories, the owners' home. Unset: everything reads DATABASE_URL.
   */
  DATABASE_READ_URL: z.string().url().optional(),
  /** Milliseconds a replica may be behind the leader and still be read; further behind, reads go to the leader. */
  DATABASE_READ_MAX_LAG_MS: z.coerce.number().int().min(0).default(5000),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(1).max(65535).default(54329),
  EMBEDDED_PG_DIR: z.string().default(".data/postgres"),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Seconds a report job may stay active before the queue hands it to another worker. */
  REPORT_JOB_EXPIRE_SECONDS: z.coerce.number().int().min(5).default(300),
  /** Seconds between sweeps that re-queue reports whose worker died. */
  REPORT_SWEEP_SECONDS: z.coerce.number().min(0.5).default(10),
  /** Complete and Failed reports, with their rows, are deleted this many days after they were made. */
  REPORT_RETENTION_DAYS: z.coerce.number().min(0.001).default(30),
  /**
   * Days of polls to keep, counted back from the newest poll (or from now, if that is earlier): whole months
   * (the partitions of polls) older than that are dropped hourly. At least 8, since a report reads a week.
   * Unset: every poll is kept.
   */
  POLL_RETENTION_DAYS: z.coerce.number().int().min(8, "POLL_RETENTION_DAYS must be at least 8 (a report reads a week of polls)").optional(),
  /** Stores per database batch while a report streams polls. */
  REPORT_BATCH_STORES: z.coerce.number().int().min(1).default(250),
  /** Stores per shard: the unit of work that worker processes share. */
  REPORT_SHARD_STORES: z.coerce.number().int().min(1).default(1000),
  /** Report worker processes `npm start` runs beside the web server. */
  WORKERS: z.coerce.number().int().min(0).max(64).default(2),
  /** Milliseconds a web request waits for its database (a connection, then a statement) before a 503. */
  DB_WEB_TIMEOUT_MS: z.coerce.number().int().min(500).default(4000),
  /** Milliseconds one statement of a report worker or command may take. */
  DB_WORKER_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  /** Connections of a process for long streams (feed loads, CSV downloads), apart from its ordinary ones. */
  STREAM_CONNECTIONS: z.coerce.number().int().min(1).max(50).default(4),
  /** Seconds a download may wait for its client to read more before it is dropped and its connection freed. */
  DOWNLOAD_STALL_SECONDS: z.coerce.number().min(0.5).default(30),
  SAMPLE_DATA: z.enum(["on", "off"]).default("on"),
  /** The admins' sign-in token; when unset, the server makes one at start and prints a sign-in link. */
  ADMIN_TOKEN: z.string().min(16, "ADMIN_TOKEN must be at least 16 characters").optional(),
  /**
   * Service keys, comma-separated `scope:key` pairs; scope `ingest` (push polls) or `reports`, or
   * `reports@<owner-slug>` for a key that sees that owner's stores only.
   */
  API_KEYS: z
    .string()
    .default("")
    .transform((raw, ctx) => {
      const keys: { scope: "ingest" | "reports" | "metrics"; owner?: string; key: string }[] = [];
      for (const entry of raw
        .split(",")
        .map((e) => e.trim())
        .filter(Boolean)) {
        const [scoped, key] = [entry.slice(0, entry.indexOf(":")), entry.slice(entry.indexOf(":") + 1)];
        const [scope, owner] = scoped.split("@") as [string, string | undefined];
        if (
          (scope !== "ingest" && scope !== "reports" && scope !== "metrics") ||
          key.length < 16 ||
          (owner !== undefined && (scope !== "reports" || !OWNER_SLUG.test(owner)))
        ) {
          ctx.addIssue({
            code: "custom",
            message: `API_KEYS entry "${scoped || entry}:…" must be ingest:<key>, reports:<key>, reports@<owner-slug>:<key> or metrics:<key>, keys of 16+ characters`,
          });
          return z.NEVER;
        }
        keys.push({ scope, ...(owner === undefined ? {} : { owner }), key });
      }
      return keys;
    }),
  SESSION_HOURS: z.coerce.number().min(0.01).default(8),
  /**
   * A port on which the web server answers GET /metrics to anyone who can reach it (bind it to an internal
   * network); unset, /metrics is on the main port for admins and `metrics` keys only.
   */
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  /** The address METRICS_PORT listens on: this machine only by default; 0.0.0.0 (or an internal address) for a scraper elsewhere. */
  METRICS_HOST: z.string().default("127.0.0.1"),
  /** The fleet's default alert rule: a webhook that hears of every incident (opened and resolved). */
  ALERT_WEBHOOK_URL: z.string().url().optional(),
  /** Signs the webhook's body (HMAC-SHA256, X-Storemon-Signature); 16+ characters. */
  ALERT_WEBHOOK_SECRET: z.string().min(16).optional(),
  /** A Slack-compatible incoming webhook that hears of every incident, in a sentence. */
  ALERT_SLACK_WEBHOOK_URL: z.string().url().optional(),
  /** E-mail addresses (comma-separated) that hear of every incident, through SMTP_URL. */
  ALERT_EMAIL_TO: z
    .string()
    .default("")
    .transform((raw) =>
      raw
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().email("ALERT_EMAIL_TO must be e-mail addresses, comma-separated"))),
  /**
   * Whether webhooks set in the dashboard may reach internal addresses (loopback, private networks, link-local):
   * off, so that an owner's member cannot make the server call inside its network; on where receivers live inside.
   */
  ALERT_ALLOW_PRIVATE_TARGETS: z.enum(["on", "off"]).default("off"),
  /** The mail server alerts and scheduled reports are sent through, e.g. smtp://user:pass@mail.example.com:587 (smtps:// for TLS). */
  SMTP_URL: z.string().url().optional(),
  /** The sender of alert e-mails. */
  SMTP_FROM: z.string().default("Store Monitor <alerts@localhost>"),
  /** Minutes a store must be down within its business hours before an incident opens. */
  ALERT_AFTER_MINUTES: z.coerce
    .number()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** Minutes without a poll, within business hours, before a "no data" incident opens (the poller, not the store). */
  ALERT_NO_DATA_MINUTES: z.coerce
    .number()
    .min(1)
    .max(7 * 24 * 60)
    .default(90),
  /** Signs people's session cookies; unset: a secret made once for the database and kept in it. */
  AUTH_SECRET: z.string().min(32).optional(),
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(512 * 1024 * 1024),
  API_BODY_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10 * 1024 * 1024),
  /**
   * The site's public origin (scheme, host, port), e.g. https://monitor.example.com: requests that change data
   * with a session, or in open mode, must come from it. Unset: the request's own (Host, or with TRUST_PROXY
   * the proxy's X-Forwarded-Host and X-Forwarded-Proto).
   */
  PUBLIC_URL: z
    .string()
    .url()
    .transform((url) => new URL(url).origin)
    .optional(),
  /**
   * How many proxies stand in front of the web servers and set X-Forwarded-For, -Host and -Proto: only then
   * are those headers believed (the client address is the one the nearest of them saw). 0: never.
   */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Failed admin sign-ins a client address may make in 15 minutes before it is refused (429). */
  SIGNIN_LIMIT_PER_CLIENT: z.coerce.number().int().min(1).default(10),
  /** Failed sign-ins to one account from all addresses together in 15 minutes before it is refused (429). */
  SIGNIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(50),
  /** Reports one API key, the admin, or one anonymous client address may trigger in a minute (429 beyond). */
  TRIGGER_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Seconds a connection has to send a request's headers (from connecting, or after its previous request). */
  WEB_HEADERS_TIMEOUT_SECONDS: z.coerce.number().min(1).default(10),
  /** Seconds a whole request, headers and body, may take to arrive (0: no limit but the body's minimum rate). */
  WEB_REQUEST_TIMEOUT_SECONDS: z.coerce.number().min(0).default(3600),
  /** Bytes a second a request body must arrive at, over each WEB_BODY_RATE_WINDOW_SECONDS the server waits for it. */
  WEB_BODY_MIN_RATE: z.coerce.number().min(0).default(1024),
  WEB_BODY_RATE_WINDOW_SECONDS: z.coerce.number().min(0.5).default(20),
  /** Seconds an idle keep-alive connection is kept open for its next request. */
  WEB_KEEP_ALIVE_SECONDS: z.coerce.number().min(0).default(5),
  /** Open connections a web server takes; unset: 10,000, or fewer when the open-file limit is lower. */
  WEB_MAX_CONNECTIONS: z.coerce.number().int().min(16).optional(),
});

export type Env = z.infer<typeof schema>;

const KEYS = Object.keys(schema.shape) as (keyof typeof schema.shape)[];
let cached: { signature: string; value: Env } | undefined;

/** The settings, parsed again whenever one of them changes (a launcher sets DATABASE_URL after start-up). */
export function env(): Env {
  const signature = KEYS.map((k) => process.env[k] ?? "\u0001").join("\u0000");
  if (cached?.signature === signature) return cached.value;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  cached = { signature, value: parsed.data };
  return parsed.data;
}

/**
 * The logger's settings (LOG_LEVEL, LOG_FORMAT, NODE_ENV), read from the environment as they are, not through
 * env(): the logger must work before the settings are checked, to say what is wrong with them.
 */
export function logSettings(): { level: string; json: boolean; production: boolean } {
  return {
    level: process.env.LOG_LEVEL ?? "info",
    json: process.env.LOG_FORMAT === "json",
    production: process.env.NODE_ENV === "production",
  };
}

/** The web server's entry runs Next.js as built: Next.js reads NODE_ENV from the environment itself. */
export function runNextAsBuilt(): void {
  (process.env as Record<string, string>).NODE_ENV = "production";
}

let apiKeysCache: { raw: string | undefined; keys: Env["API_KEYS"] } | undefined;

/**
 * The service keys, which every request checks: compared by their one variable, not by every setting as
 * env() does (reading process.env is slow; env() per call was a tenth of a status call's CPU).
 */
export function apiKeys(): Env["API_KEYS"] {
  const raw = process.env.API_KEYS;
  if (apiKeysCache === undefined || apiKeysCache.raw !== raw) apiKeysCache = { raw, keys: env().API_KEYS };
  return apiKeysCache.keys;
}
