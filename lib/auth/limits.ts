import crypto from "node:crypto";
import type pg from "pg";
import { RateLimiterPostgres, RateLimiterRes } from "rate-limiter-flexible";
import { pool } from "../db/pool";
import { env } from "../env";
import { AppError } from "../errors";
import { log } from "../log";

// Rate limits, counted in PostgreSQL (the rate_limits table) so that every web server shares them.

const SIGN_IN_WINDOW_SECONDS = 15 * 60;
/** Test notifications one caller may send in an hour: each may post to receivers and mail addresses it names. */
const ALERT_TESTS_PER_HOUR = 20;

interface Limiters {
  pool: pg.Pool;
  settings: string;
  signInByClient: RateLimiterPostgres;
  signInByAccount: RateLimiterPostgres;
  triggers: RateLimiterPostgres;
  alertTests: RateLimiterPostgres;
}

const state = globalThis as unknown as { storemonLimiters?: Limiters };

/** The limiters of this process, on its pool, made again when the pool or the settings change. */
function limiters(): Limiters {
  const current = pool();
  const { SIGNIN_LIMIT_PER_CLIENT, SIGNIN_LIMIT_PER_ACCOUNT, TRIGGER_LIMIT_PER_MINUTE } = env();
  const settings = `${SIGNIN_LIMIT_PER_CLIENT}/${SIGNIN_LIMIT_PER_ACCOUNT}/${TRIGGER_LIMIT_PER_MINUTE}`;
  if (state.storemonLimiters?.pool === current && state.storemonLimiters.settings === settings) return state.storemonLimiters;
  const limiter = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterPostgres({
      storeClient: current,
      storeType: "pool",
      tableName: "rate_limits",
      tableCreated: true,
      keyPrefix,
      points,
      duration,
    });
  state.storemonLimiters = {
    pool: current,
    settings,
    signInByClient: limiter("signin-client", SIGNIN_LIMIT_PER_CLIENT, SIGN_IN_WINDOW_SECONDS),
    signInByAccount: limiter("signin-account", SIGNIN_LIMIT_PER_ACCOUNT, SIGN_IN_WINDOW_SECONDS),
    triggers: limiter("trigger", TRIGGER_LIMIT_PER_MINUTE, 60),
    alertTests: limiter("alert-test", ALERT_TESTS_PER_HOUR, 3600),
  };
  return state.storemonLimiters;
}

const retryAfterSeconds = (refusal: RateLimiterRes) => Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));

/** Counts one attempt against a limiter: the refusal (over the limit) is returned, a database error thrown. */
async function consume(limiter: RateLimiterPostgres, key: string): Promise<RateLimiterRes | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (e) {
    if (e instanceof RateLimiterRes) return e;
    throw e;
  }
}

/**
 * Counts a sign-in attempt by this client address, then for this account, before the token is looked at, so
 * that attempts sent all at once are counted too; refuses it (429) once either has had its failures for the
 * window. An address already refused counts no more against the account: one address alone cannot lock the
 * account. A sign-in that succeeds gives its attempt back (`signInSucceeded`): only failures add up.
 */
export async function countSignInAttempt(client: string, account: string): Promise<void> {
  const { signInByClient, signInByAccount } = limiters();
  const byClient = await consume(signInByClient, client);
  const byAccount = byClient ? undefined : await consume(signInByAccount, account);
  const refusal = byClient ?? byAccount;
  if (!refusal) return;
  const retryAfter = retryAfterSeconds(refusal);
  // One line when a limit is reached, not one per refused attempt: a brute force would flood the log.
  if (byClient?.consumedPoints === signInByClient.points + 1)
    log().warn(
      { client },
      `sign-in refused: ${signInByClient.points} failed attempts from ${client} in 15 min; refusing that address for ${retryAfter} s`,
    );
  if (byAccount?.consumedPoints === signInByAccount.points + 1)
    log().warn(
      { account },
      `sign-in refused: ${signInByAccount.points} failed attempts for account ${account} in 15 min; refusing it for ${retryAfter} s`,
    );
  throw new AppError("too_many_sign_ins", 429, `too many failed sign-ins; try again in ${retryAfter} s`, undefined, {
    "Retry-After": String(retryAfter),
  });
}

export async function signInSucceeded(client: string, account: string): Promise<void> {
  const { signInByClient, signInByAccount } = limiters();
  await Promise.all([signInByClient.reward(client), signInByAccount.reward(account)]);
}

/** What an API key's triggers are counted under: a hash of the key, never the key itself. */
export function apiKeyLimitKey(key: string): string {
  return `key:${crypto.createHash("sha256").update(key).digest("base64url").slice(0, 22)}`;
}

/** Counts a report trigger; refuses it (429) beyond TRIGGER_LIMIT_PER_MINUTE for this caller. */
export async function countTrigger(limitKey: string): Promise<void> {
  const { triggers } = limiters();
  const refusal = await consume(triggers, limitKey);
  if (!refusal) return;
  const retryAfter = retryAfterSeconds(refusal);
  throw new AppError(
    "too_many_reports",
    429,
    `at most ${triggers.points} reports a minute may be triggered; try again in ${retryAfter} s`,
    undefined,
    {
      "Retry-After": String(retryAfter),
    },
  );
}

/** Counts a test notification; refuses it (429) beyond ALERT_TESTS_PER_HOUR for this caller. */
export async function countAlertTest(limitKey: string): Promise<void> {
  const { alertTests } = limiters();
  const refusal = await consume(alertTests, limitKey);
  if (!refusal) return;
  const retryAfter = retryAfterSeconds(refusal);
  throw new AppError(
    "too_many_tests",
    429,
    `at most ${alertTests.points} test alerts an hour may be sent; try again in ${retryAfter} s`,
    undefined,
    {
      "Retry-After": String(retryAfter),
    },
  );
}
