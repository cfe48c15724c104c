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
  signInByAccountAndClient: RateLimiterPostgres;
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
    // Counts an account's failures; past its points the account is guarded (see countSignInAttempt), never locked.
    signInByAccount: limiter("signin-account", SIGNIN_LIMIT_PER_ACCOUNT, SIGN_IN_WINDOW_SECONDS),
    signInByAccountAndClient: limiter("signin-account-client", SIGNIN_LIMIT_PER_CLIENT, SIGN_IN_WINDOW_SECONDS),
    triggers: limiter("trigger", TRIGGER_LIMIT_PER_MINUTE, 60),
    alertTests: limiter("alert-test", ALERT_TESTS_PER_HOUR, 3600),
  };
  return state.storemonLimiters;
}

const retryAfterSeconds = (refusal: RateLimiterRes) => Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));

/** Counts one attempt against a limiter: the count so far, and whether it is over the limit; a database error is thrown. */
async function count(limiter: RateLimiterPostgres, key: string): Promise<{ res: RateLimiterRes; over: boolean }> {
  try {
    return { res: await limiter.consume(key), over: false };
  } catch (e) {
    if (e instanceof RateLimiterRes) return { res: e, over: true };
    throw e;
  }
}

/** Counts one attempt against a limiter: the refusal (over the limit) is returned, a database error thrown. */
async function consume(limiter: RateLimiterPostgres, key: string): Promise<RateLimiterRes | undefined> {
  const { res, over } = await count(limiter, key);
  return over ? res : undefined;
}

/**
 * Counts a sign-in attempt by this client address, for this account, and by this address for this account, before
 * the credentials are looked at, so that attempts sent all at once are counted too; refuses it (429):
 * - once this address has had SIGNIN_LIMIT_PER_CLIENT failures in the window, whatever the account;
 * - while the account is guarded (SIGNIN_LIMIT_PER_ACCOUNT failures from all addresses together in the window),
 *   to an address that has already failed for this account in the window: each address gets one more guess.
 * An account is never locked: an address that has not failed for it still signs in with the right password, so
 * that failures sent from many addresses cannot lock its rightful owner out. A sign-in that succeeds gives its
 * attempt back (`signInSucceeded`): only failures add up.
 */
export async function countSignInAttempt(client: string, account: string): Promise<void> {
  const { signInByClient, signInByAccount, signInByAccountAndClient } = limiters();
  const byClient = await count(signInByClient, client);
  if (byClient.over) {
    // One line when a limit is reached, not one per refused attempt: a brute force would flood the log.
    if (byClient.res.consumedPoints === signInByClient.points + 1)
      log().warn(
        { client },
        `sign-in refused: ${signInByClient.points} failed attempts from ${client} in 15 min; refusing that address for ${retryAfterSeconds(byClient.res)} s`,
      );
    throw tooManySignIns(byClient.res);
  }
  const [guard, byPair] = await Promise.all([signInByAccount.get(account), count(signInByAccountAndClient, `${account}|${client}`)]);
  if ((guard?.consumedPoints ?? 0) >= signInByAccount.points && byPair.res.consumedPoints > 1) throw tooManySignIns(byPair.res);
  const byAccount = await count(signInByAccount, account);
  if (byAccount.res.consumedPoints === signInByAccount.points)
    log().warn(
      { account },
      `sign-in guarded: ${signInByAccount.points} failed attempts for account ${account} in 15 min; each address that failed for it is refused`,
    );
}

const tooManySignIns = (refusal: RateLimiterRes) => tooMany("too_many_sign_ins", refusal, "too many failed sign-ins");

export async function signInSucceeded(client: string, account: string): Promise<void> {
  const { signInByClient, signInByAccount, signInByAccountAndClient } = limiters();
  await Promise.all([
    signInByClient.reward(client),
    signInByAccount.reward(account),
    signInByAccountAndClient.reward(`${account}|${client}`),
  ]);
}

/** What an API key's triggers are counted under: a hash of the key, never the key itself. */
export function apiKeyLimitKey(key: string): string {
  return `key:${crypto.createHash("sha256").update(key).digest("base64url").slice(0, 22)}`;
}

/** Counts one call against `limiter` under each of `keys`; the first refusal, if any of them is over its limit. */
async function consumeEach(limiter: RateLimiterPostgres, keys: readonly string[]): Promise<RateLimiterRes | undefined> {
  const refusals = await Promise.all(keys.map((key) => consume(limiter, key)));
  return refusals.find((r) => r !== undefined);
}

function tooMany(code: string, refusal: RateLimiterRes, limit: string): AppError {
  const retryAfter = retryAfterSeconds(refusal);
  return new AppError(code, 429, `${limit}; try again in ${retryAfter} s`, undefined, { "Retry-After": String(retryAfter) });
}

/**
 * Counts a report trigger; refuses it (429) beyond TRIGGER_LIMIT_PER_MINUTE under any of the caller's limit keys
 * (each owner it sees some stores of, its account, an unscoped key, an anonymous address).
 */
export async function countTrigger(limitKeys: readonly string[]): Promise<void> {
  const { triggers } = limiters();
  const refusal = await consumeEach(triggers, limitKeys);
  if (refusal) throw tooMany("too_many_reports", refusal, `at most ${triggers.points} reports a minute may be triggered`);
}

/** Counts a test notification; refuses it (429) beyond ALERT_TESTS_PER_HOUR under any of the caller's limit keys. */
export async function countAlertTest(limitKeys: readonly string[]): Promise<void> {
  const { alertTests } = limiters();
  const refusal = await consumeEach(alertTests, limitKeys);
  if (refusal) throw tooMany("too_many_tests", refusal, `at most ${alertTests.points} test alerts an hour may be sent`);
}
