import { formatInTimeZone } from "date-fns-tz";
import type pg from "pg";
import { storeNotFound, visibleStores, type Scope } from "../auth/scope";
import { rollbackAndRelease } from "../db/pool";
import { readPoolAsOf } from "../db/replica";
import { AppError } from "../errors";
import type { StoreTimelineView, TimelineDay } from "../api/views/reports";
import { checkReportId } from "../reports/read";
import { loadStoreData, toEpochUs } from "../reports/store-data";
import {
  DEFAULT_TIME_ZONE,
  FIGURES,
  outages,
  reportFigures,
  countWeek,
  weekdayOfEpochDay,
  WINDOWS,
  ZoneClocks,
  type StatusSpan,
} from "../uptime";

/** How the store page writes a local time: "Mon 14 Oct 13:05:09". */
const LOCAL_FORMAT = "EEE d MMM HH:mm:ss";

/** Seconds of `spans` inside [start, end). */
const sumSeconds = (spans: readonly StatusSpan[], start: number, end: number) =>
  spans.reduce((sum, s) => sum + Math.max(0, Math.min(s.end, end) - Math.max(s.start, start)), 0) / 1e6;

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
const hhmmss = (seconds: number) =>
  [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60].map((n) => String(n).padStart(2, "0")).join(":");

/**
 * Opens a read-only snapshot on `client` for one store's page and returns its as-of instant: the report's, or
 * else the newest poll's. A store outside `scope` is a 404, as one that does not exist; so is an unknown report.
 */
export async function beginStoreRead(client: pg.ClientBase, storeId: string, reportId: string | undefined, scope: Scope): Promise<number> {
  if (reportId !== undefined) checkReportId(reportId);
  await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
  if (!scope.all) {
    const { rows } = await client.query(`SELECT 1 FROM stores WHERE store_id = $1 AND ${visibleStores(scope)}`, [storeId]);
    if (rows.length === 0) throw storeNotFound(storeId);
  }
  const { rows } = await client.query<{ now: number | null }>(
    reportId
      ? `SELECT ${toEpochUs("as_of")} AS now FROM reports WHERE id = $1`
      : `SELECT ${toEpochUs("max(timestamp_utc)")} AS now FROM polls`,
    reportId ? [reportId] : [],
  );
  if (reportId && rows.length === 0) throw new AppError("report_not_found", 404, `no report with id ${reportId}`);
  const now = rows[0]?.now;
  if (now == null) throw new AppError("no_data", 404, "no polls have been loaded yet");
  return now;
}

/**
 * A store's last week as the report saw it: business hours, polls and the up/down spans that were counted,
 * laid out by local day, with the six figures. Uses the same data reader and engine as the report, so the
 * picture and the numbers agree. The week ends at the chosen report's as-of, or else at the newest poll.
 * A store outside `scope` is answered 404, as one that does not exist.
 */
export async function storeTimelineView(storeId: string, reportId: string | undefined, scope: Scope): Promise<StoreTimelineView> {
  const client = await (await readPoolAsOf(reportId)).connect();
  let released = false;
  try {
    const now = await beginStoreRead(client, storeId, reportId, scope);
    const [store] = await loadStoreData(client, [storeId], now - WINDOWS.week, now);
    const { rows: directory } = await client.query<{ name: string | null }>("SELECT name FROM stores WHERE store_id = $1", [storeId]);
    const clocks = new ZoneClocks();
    const timeline = countWeek(store!, now, clocks);
    if (!timeline) throw new AppError("store_not_found", 404, `no store ${storeId} with polls up to ${iso(now)}`);

    let figures = reportFigures(timeline.durations);
    let figuresSource: StoreTimelineView["figuresSource"] = "computed";
    if (reportId) {
      const { rows } = await client.query(
        `SELECT ${FIGURES.map((f) => `${f.column}::text`).join(", ")} FROM report_rows WHERE report_id = $1 AND store_id = $2`,
        [reportId, storeId],
      );
      if (rows[0]) {
        figures = Object.fromEntries(FIGURES.map((f) => [f.key, rows[0][f.column]])) as typeof figures;
        figuresSource = "report";
      }
    }
    await client.query("COMMIT");
    client.release(); // the rest is computation
    released = true;

    const zone = store!.timeZone ?? DEFAULT_TIME_ZONE;
    const clock = clocks.get(zone);
    const weekStart = now - WINDOWS.week;
    const days: TimelineDay[] = [];
    for (let day = clock.localEpochDay(weekStart); day <= clock.localEpochDay(now - 1); day++) {
      const start = clock.instantOf(day, 0);
      const end = clock.instantOf(day + 1, 0);
      const at = (us: number) => Math.min(1, Math.max(0, (us - start) / (end - start)));
      const inside = (s: { start: number; end: number }) => s.end > start && s.start < end;
      days.push({
        date: formatInTimeZone(new Date(start / 1000), zone, "yyyy-MM-dd"),
        weekday: WEEKDAYS[weekdayOfEpochDay(day)]!,
        start: iso(start),
        end: iso(end),
        window: weekStart < end && now > start ? [at(weekStart), at(now)] : null,
        open: timeline.open.filter(inside).map((i) => [at(i.start), at(i.end)]),
        counted: timeline.counted.filter(inside).map((s: StatusSpan) => ({ from: at(s.start), to: at(s.end), active: s.active })),
        upSeconds: sumSeconds(
          timeline.counted.filter((s) => s.active),
          start,
          end,
        ),
        downSeconds: sumSeconds(
          timeline.counted.filter((s) => !s.active),
          start,
          end,
        ),
        polls: store!.polls
          .filter((p) => p.at >= start && p.at < end && p.at <= now)
          .map((p) => ({ at: at(p.at), active: p.active, time: formatInTimeZone(new Date(p.at / 1000), zone, "HH:mm:ss") })),
      });
    }
    return {
      storeId,
      name: directory[0]?.name ?? null,
      timeZone: zone,
      timeZoneDefaulted: store!.timeZone === null,
      hours: [...store!.hours]
        .sort((a, b) => a.dayOfWeek - b.dayOfWeek || a.start - b.start)
        .map((h) => ({ dayOfWeek: h.dayOfWeek, start: hhmmss(h.start), end: hhmmss(h.end) })),
      asOf: iso(now),
      reportId: figuresSource === "report" ? reportId! : null,
      figures: Object.fromEntries(FIGURES.map((f) => [f.column, Number(figures[f.key])])) as StoreTimelineView["figures"],
      figuresSource,
      days,
      outages: outages(timeline.counted).map((o) => ({
        start: iso(o.start),
        end: iso(o.end),
        seconds: (o.end - o.start) / 1e6,
        localStart: formatInTimeZone(new Date(o.start / 1000), zone, LOCAL_FORMAT),
        localEnd: formatInTimeZone(new Date(o.end / 1000), zone, LOCAL_FORMAT),
      })),
    };
  } catch (e) {
    if (!released) await rollbackAndRelease(client, e);
    throw e;
  }
}
