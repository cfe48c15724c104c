"use client";

import type { FleetPeriodsView, PeriodFigures } from "@/lib/api/views/fleet";
import { HEALTH_THRESHOLDS, healthOf } from "@/lib/uptime/health";
import { formatDates, formatDay } from "./words";

const percent = (p: number | null) => (p === null ? "—" : `${p.toFixed(1)}%`);
const hours = (h: number) => `${h.toFixed(1)} h`;

/** A change, signed, with whether it is for the better: up is better for uptime, worse for the rest. */
function Change({
  now,
  before,
  unit,
  higherIsBetter,
}: {
  now: number | null;
  before: number | null;
  unit: string;
  higherIsBetter: boolean;
}) {
  if (now === null || before === null) return <span className="muted">—</span>;
  const delta = Math.round((now - before) * 10) / 10;
  if (delta === 0) return <span className="muted">same</span>;
  const better = delta > 0 === higherIsBetter;
  return (
    <span className={better ? "change-better" : "change-worse"}>
      {delta > 0 ? "+" : "−"}
      {Math.abs(delta).toFixed(unit === "" ? 0 : 1)}
      {unit} <span className="visually-hidden">({better ? "better" : "worse"})</span>
    </span>
  );
}

/** This week against the 7 days before: uptime, downtime and the stores below the thresholds, with both periods' dates. */
export function Comparison({ periods }: { periods: FleetPeriodsView }) {
  const { week, previousWeek: before, days30, days90 } = periods.periods;
  const rows: [string, (p: PeriodFigures) => number | null, (v: number | null) => string, string, boolean][] = [
    ["Uptime", (p) => p.uptimePercent, percent, " pt", true],
    ["Downtime", (p) => p.downHours, (v) => hours(v ?? 0), " h", false],
    [`Below ${HEALTH_THRESHOLDS.fine}%`, (p) => p.storesBelowFine, String, "", false],
    [`Below ${HEALTH_THRESHOLDS.warning}%`, (p) => p.storesBelowWarning, String, "", false],
  ];
  const better = week.uptimePercent !== null && before.uptimePercent !== null ? week.uptimePercent - before.uptimePercent : null;
  return (
    <section aria-labelledby="week-heading">
      <h2 id="week-heading">This week against the 7 days before</h2>
      <p className="verdict">
        {better === null
          ? "Not enough business time to compare."
          : better > 0
            ? `Better: ${percent(week.uptimePercent)} up, against ${percent(before.uptimePercent)}.`
            : better < 0
              ? `Worse: ${percent(week.uptimePercent)} up, against ${percent(before.uptimePercent)}.`
              : `The same: ${percent(week.uptimePercent)} up.`}
      </p>
      <table className="data-table comparison" aria-label="This week against the 7 days before">
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Figure</span>
            </th>
            <th scope="col" className="num">
              This week <span className="period-dates">{formatDates(week.from, week.to, { year: false })}</span>
            </th>
            <th scope="col" className="num">
              Before <span className="period-dates">{formatDates(before.from, before.to, { year: false })}</span>
            </th>
            <th scope="col" className="num">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, value, show, unit, higherIsBetter]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="num">{show(value(week))}</td>
              <td className="num">{show(value(before))}</td>
              <td className="num">
                <Change now={value(week)} before={value(before)} unit={unit} higherIsBetter={higherIsBetter} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        Whole local days in each store&apos;s zone, within its business hours, up to {formatDay(periods.lastDay)}: the last day over in
        every zone. Stores counted this week: {week.storesCounted}. Over 30 days ({formatDates(days30.from, days30.to)}):{" "}
        {percent(days30.uptimePercent)} up, {hours(days30.downHours)} down, {days30.storesBelowFine} below {HEALTH_THRESHOLDS.fine}%. Over
        90 days ({formatDates(days90.from, days90.to)}): {percent(days90.uptimePercent)} up, {hours(days90.downHours)} down.
      </p>
    </section>
  );
}

/**
 * Weekly uptime over 12 weeks, oldest first, with each week's dates: bars from the lowest week's uptime to 100%, in
 * HTML (the text stays readable however narrow the screen); a list, so that each week reads out with its figures.
 */
export function Trend({ trend }: { trend: FleetPeriodsView["trend"] }) {
  const values = trend.flatMap((w) => (w.uptimePercent === null ? [] : [w.uptimePercent]));
  const low = values.length ? Math.max(0, Math.floor(Math.min(...values) - 1)) : 0;
  const height = (p: number | null) => (p === null ? 0 : Math.max(2, ((p - low) / (100 - low || 1)) * 100));
  return (
    <section aria-labelledby="trend-heading">
      <h2 id="trend-heading">12 weeks</h2>
      <figure className="week-trend">
        <ol className="week-bars" aria-label="Uptime week by week, oldest first">
          {trend.map((w) => (
            <li key={w.from} className={`week health-bar-${healthOf(w.uptimePercent)}`}>
              <span className="week-value">{w.uptimePercent === null ? "—" : w.uptimePercent.toFixed(1)}</span>
              <span className="week-track">
                <span className="week-bar" style={{ height: `${height(w.uptimePercent)}%` }} />
              </span>
              <span className="week-date">
                <span className="visually-hidden">Week of </span>
                {formatDay(w.from)}
                <span className="visually-hidden">
                  {" "}
                  to {formatDay(w.to)}: {percent(w.uptimePercent)} up, {hours(w.downHours)} down
                </span>
              </span>
            </li>
          ))}
        </ol>
        <figcaption className="muted small">
          Uptime within business hours (%), week by week, each under its first day; bars from {low}% to 100%. This week:{" "}
          {formatDates(trend.at(-1)!.from, trend.at(-1)!.to)}.
        </figcaption>
      </figure>
    </section>
  );
}
