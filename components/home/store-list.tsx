"use client";

import Link from "next/link";
import { useState } from "react";
import type { DayBar, StorePeriods } from "@/lib/api/views/fleet";
import { HEALTH_THRESHOLDS, healthOf } from "@/lib/uptime/health";
import { formatDates, formatDay, STATE_LABEL } from "./words";

const SORTS = {
  down: { label: "Down most", compare: (a: StorePeriods, b: StorePeriods) => b.week.downHours - a.week.downHours },
  uptime: {
    label: "Lowest uptime",
    compare: (a: StorePeriods, b: StorePeriods) => (a.week.uptimePercent ?? 101) - (b.week.uptimePercent ?? 101),
  },
  name: { label: "Name", compare: (a: StorePeriods, b: StorePeriods) => (a.name ?? a.storeId).localeCompare(b.name ?? b.storeId) },
} as const;
type Sort = keyof typeof SORTS;
/** Stores shown before "Show all": the worst of the week. */
const FIRST = 10;
const { fine, warning } = HEALTH_THRESHOLDS;

/** Each store's week and its last 90 days, the most down this week first (as the server sorts them). */
export function StoreList({ stores, lastDay }: { stores: StorePeriods[]; lastDay: string }) {
  const [sort, setSort] = useState<Sort>("down");
  const [all, setAll] = useState(false);
  const sorted = sort === "down" ? stores : [...stores].sort(SORTS[sort].compare);
  const shown = all ? sorted : sorted.slice(0, FIRST);
  const firstDay = new Date(Date.parse(`${lastDay}T00:00:00Z`) - 89 * 86_400_000).toISOString().slice(0, 10);
  return (
    <section aria-labelledby="stores-heading" id="stores">
      <div className="section-head">
        <h2 id="stores-heading">Your stores this week, the worst first</h2>
        <div className="sort-choice" role="group" aria-label="Order the stores">
          {(Object.keys(SORTS) as Sort[]).map((key) => (
            <button key={key} type="button" aria-pressed={sort === key} onClick={() => setSort(key)}>
              {SORTS[key].label}
            </button>
          ))}
        </div>
      </div>
      <p className="muted small">
        Uptime and downtime within business hours this week (the change from the 7 days before), and each of the 90 days{" "}
        {formatDates(firstDay, lastDay)}: <BarLegend />
      </p>
      <div className="store-rows-head" aria-hidden="true">
        <span>Store</span>
        <span>Now</span>
        <span>This week (change)</span>
        <span>90 days to {formatDay(lastDay)}</span>
      </div>
      <ul className="store-rows" aria-label="Stores this week">
        {shown.map((s) => (
          <li key={s.storeId} className="store-row">
            <Link className="store-row-name" href={`/stores/${encodeURIComponent(s.storeId)}`}>
              {s.name ?? s.storeId}
            </Link>
            <span className={`state state-${s.state}`}>{STATE_LABEL[s.state]}</span>
            <span className="store-row-figures">
              <span className={`health health-${healthOf(s.week.uptimePercent)}`}>
                {s.week.uptimePercent === null ? "closed" : `${s.week.uptimePercent.toFixed(1)}%`}
                <span className="visually-hidden"> up this week</span>
              </span>
              <span title={`${s.previousWeek.downHours.toFixed(1)} h in the 7 days before`}>
                <strong>{s.week.downHours.toFixed(1)} h</strong> down{" "}
                <DownChange now={s.week.downHours} before={s.previousWeek.downHours} />
              </span>
            </span>
            <DayBars daily={s.daily} lastDay={lastDay} name={s.name ?? s.storeId} />
          </li>
        ))}
      </ul>
      {!all && stores.length > FIRST && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {stores.length.toLocaleString("en-US")} stores
        </button>
      )}
    </section>
  );
}

function DownChange({ now, before }: { now: number; before: number }) {
  const delta = Math.round((now - before) * 10) / 10;
  if (delta === 0) return <span className="muted small">(same)</span>;
  return (
    <span className={`small ${delta > 0 ? "change-worse" : "change-better"}`}>
      ({delta > 0 ? "+" : "−"}
      {Math.abs(delta).toFixed(1)}
      <span className="visually-hidden"> h against the 7 days before</span>)
    </span>
  );
}

const COLOURS = { fine: "var(--up)", warning: "#d99a00", bad: "var(--down)", closed: "#c9ced6", nodata: "transparent" } as const;
const kindOf = (d: DayBar): keyof typeof COLOURS => {
  if (d === null) return "nodata";
  const health = d === "closed" ? "none" : healthOf(d);
  return health === "none" ? "closed" : health;
};

/** A store's 90 days as one strip (one element, not 90: a fleet's list stays light on a phone), told in words too. */
function DayBars({ daily, lastDay, name }: { daily: DayBar[]; lastDay: string; name: string }) {
  const step = 100 / daily.length;
  const stops = daily.map((d, i) => `${COLOURS[kindOf(d)]} ${(i * step).toFixed(3)}% ${((i + 1) * step).toFixed(3)}%`);
  const count = (kind: string) => daily.filter((d) => kindOf(d) === kind).length;
  const label =
    `${name}, the ${daily.length} days to ${lastDay}: ${count("fine")} at ${fine}% or more, ${count("warning")} below ${fine}%, ` +
    `${count("bad")} below ${warning}%, ${count("closed")} closed, ${count("nodata")} without data`;
  return (
    <span
      className="day-bars"
      role="img"
      aria-label={label}
      title={label}
      style={{ backgroundImage: `linear-gradient(to right, ${stops.join(", ")})` }}
    />
  );
}

function BarLegend() {
  return (
    <span className="bar-legend">
      <span className="swatch swatch-up" /> {fine}% or more <span className="swatch swatch-warning" /> below {fine}%{" "}
      <span className="swatch swatch-down" /> below {warning}% <span className="swatch swatch-closed" /> closed{" "}
      <span className="swatch swatch-nodata" /> no data
    </span>
  );
}
