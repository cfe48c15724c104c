import { z } from "zod";

// The owner's home in the API: the stores as they are now (GET /api/fleet/now), and their complete local days
// over the last weeks (GET /api/fleet/periods), both over the caller's stores.

const instant = z.string().meta({ description: "An instant, ISO 8601 in UTC", example: "2024-10-14T23:55:18.727Z" });
const date = z.string().meta({ description: "A local calendar date, YYYY-MM-DD", example: "2024-10-14" });

/** What a store is now: up, down (its last poll said inactive), or silent while open (no data). */
export const NOW_STATES = ["up", "down", "no_data"] as const;
export type NowState = (typeof NOW_STATES)[number];

export const ongoingStore = z
  .object({
    storeId: z.string(),
    name: z.string().nullable().meta({ description: "From the store directory; null without a directory row" }),
    timeZone: z.string().meta({ description: "The store's IANA zone (America/Chicago when it has none on file)" }),
    state: z.enum(["down", "no_data"]),
    since: instant.meta({
      description:
        "down: when the current run of inactive polls began by the nearest-poll rule (halfway between the last active poll and the " +
        "first inactive one), or the first poll when it has been down since then; no_data: the last poll",
    }),
    sinceFirstPoll: z.boolean().meta({ description: "down since its first poll: no active poll on file before the run" }),
    businessSeconds: z.number().meta({ description: "Business time from `since` to asOf, in seconds: how long it has lasted while open" }),
    openNow: z.boolean().meta({ description: "Whether asOf is within its business hours" }),
    lastPollAt: instant,
    lastPollActive: z.boolean(),
  })
  .meta({ id: "FleetOngoingStore" });
export type OngoingStore = z.infer<typeof ongoingStore>;

/** How many down and silent stores an answer lists, the longest first; the counts cover them all. */
export const MAX_ONGOING = 200;

export const fleetNowView = z
  .object({
    asOf: instant.nullable().meta({
      description: "Now: the newest poll of any store (as the report and the store pages take it); null before any poll is loaded",
    }),
    answeredAt: instant.meta({ description: "The server's clock when it answered: asOf far behind it means no poll is arriving" }),
    counts: z.object({
      stores: z.number().int().meta({ description: "The caller's stores with polls" }),
      up: z.number().int(),
      down: z.number().int(),
      noData: z.number().int().meta({ description: `Open at asOf and no poll for more than 90 minutes (FRESH_WITHIN)` }),
    }),
    ongoing: z.array(ongoingStore).meta({
      description: `The stores down or without data now, the longest (in business time) first; at most ${MAX_ONGOING}`,
    }),
  })
  .meta({ id: "FleetNow" });
export type FleetNowView = z.infer<typeof fleetNowView>;

const figures = z.object({
  uptimePercent: z.number().nullable().meta({ description: "Up time as a share of business time, to 0.1; null without business time" }),
  downHours: z.number().meta({ description: "Down time within business hours, to 0.01 h" }),
});

export const periodFigures = figures
  .extend({
    from: date.meta({ description: "The period's first local date" }),
    to: date.meta({ description: "Its last local date, inclusive" }),
    upHours: z.number(),
    storesCounted: z.number().int().meta({ description: "Stores with business time in the period" }),
    storesBelowFine: z.number().int().meta({ description: "Stores whose uptime in the period is below the fine threshold (99%)" }),
    storesBelowWarning: z.number().int().meta({ description: "Stores below the warning threshold (95%)" }),
  })
  .meta({ id: "FleetPeriod" });
export type PeriodFigures = z.infer<typeof periodFigures>;

/**
 * The periods, in days back from "today": the earliest local date of asOf among the stores' zones (so that every
 * day counted is over wherever the store is). Each store's days are its own local dates, the same for all.
 */
export const PERIODS = { week: [1, 7], previousWeek: [8, 14], days30: [1, 30], days90: [1, 90] } as const;
export type PeriodName = keyof typeof PERIODS;
/** Weeks in the trend; days in the daily bars. */
export const TREND_WEEKS = 12;
export const BAR_DAYS = 90;

export const dayBar = z
  .union([z.number(), z.literal("closed"), z.null()])
  .meta({ description: "A day's uptime % within business hours; closed: polled but no business hours; null: no poll that day (no data)" });
export type DayBar = z.infer<typeof dayBar>;

export const storePeriods = z
  .object({
    storeId: z.string(),
    name: z.string().nullable(),
    timeZone: z.string(),
    state: z.enum(NOW_STATES).meta({ description: "What the store is at asOf, as GET /api/fleet/now counts it" }),
    week: figures,
    previousWeek: figures,
    days30: figures,
    days90: figures,
    daily: z.array(dayBar).meta({ description: `The ${BAR_DAYS} local dates up to the answer's lastDay, oldest first` }),
  })
  .meta({ id: "FleetStorePeriods" });
export type StorePeriods = z.infer<typeof storePeriods>;

export const fleetPeriodsView = z
  .object({
    asOf: instant.nullable().meta({ description: "As GET /api/fleet/now's" }),
    lastDay: date.meta({
      description: "The last day of every period: the day before the earliest local date of asOf among the stores' zones",
    }),
    periods: z.object({ week: periodFigures, previousWeek: periodFigures, days30: periodFigures, days90: periodFigures }),
    trend: z
      .array(figures.extend({ from: date, to: date }))
      .meta({ description: `The last ${TREND_WEEKS} weeks of 7 complete local days, oldest first; the last is \`week\`` }),
    stores: z.array(storePeriods).meta({ description: "Every store of the caller's with polls, the most down this week first" }),
    storesReadFromPolls: z
      .number()
      .int()
      .meta({ description: "Stores whose days were being recomputed after a change: their figures were computed from their polls" }),
  })
  .meta({ id: "FleetPeriods" });
export type FleetPeriodsView = z.infer<typeof fleetPeriodsView>;
