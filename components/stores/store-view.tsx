"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { StoreTimelineView, TimelineDay } from "@/lib/api/schemas";
import { ErrorState, Loading } from "@/components/ui/states";
import { formatInstant, formatNumber } from "@/components/ui/format";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const pct = (f: number) => `${(f * 100).toFixed(3)}%`;

export function StoreView({ storeId, reportId }: { storeId: string; reportId?: string }) {
  const timeline = useQuery({ queryKey: queryKeys.storeTimeline(storeId, reportId), queryFn: () => api.storeTimeline(storeId, reportId) });
  const back = reportId ? <Link href={`/reports/${reportId}`}>Back to the report</Link> : <Link href="/">Reports</Link>;

  if (timeline.isPending) return <Loading what="the store" />;
  if (timeline.isError) {
    const notFound = timeline.error instanceof ApiError && timeline.error.status === 404;
    return notFound ? (
      <div className="notice notice-error" role="alert">
        <strong>Unknown store</strong>
        <p>{timeline.error.message}.</p>
        <p>Check the store id, or {back}.</p>
      </div>
    ) : (
      <ErrorState error={timeline.error} what="the store" />
    );
  }
  const store = timeline.data;
  return (
    <>
      <nav className="crumbs" aria-label="Breadcrumb">
        {back} / <span>Store</span>
      </nav>
      <h1 className="store-title">{store.name ?? `Store ${store.storeId}`}</h1>
      {store.name && <p className="store-id">Store {store.storeId}</p>}
      <p>
        Time zone <strong>{store.timeZone}</strong>
        {store.timeZoneDefaulted && <span className="muted"> (no time zone on file: the default, America/Chicago)</span>} · week
        ending {formatInstant(store.asOf)}
      </p>
      <Figures store={store} />
      <section aria-labelledby="week-heading">
        <h2 id="week-heading">The last 7 days, in the store&apos;s local time</h2>
        <Legend />
        <div className="timeline" role="list" aria-label="Days">
          {store.days.map((day) => (
            <DayLane key={day.date} day={day} />
          ))}
        </div>
      </section>
      <Hours store={store} />
    </>
  );
}

function Figures({ store }: { store: StoreTimelineView }) {
  const f = store.figures;
  const rows: [string, number, number, string][] = [
    ["Last hour", f.uptime_last_hour, f.downtime_last_hour, "min"],
    ["Last day", f.uptime_last_day, f.downtime_last_day, "h"],
    ["Last week", f.uptime_last_week, f.downtime_last_week, "h"],
  ];
  return (
    <section aria-labelledby="figures-heading">
      <h2 id="figures-heading">Within business hours</h2>
      <table className="data-table figures" aria-label="Uptime and downtime">
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col" className="num">Uptime</th>
            <th scope="col" className="num">Downtime</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, up, down, unit]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="num">{formatNumber(up)} {unit}</td>
              <td className={`num${down > 0 ? " down" : ""}`}>{formatNumber(down)} {unit}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">
        {store.figuresSource === "report" ? "As in the report." : "Computed now for this week, with the report's rules."}
      </p>
    </section>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li><span className="swatch swatch-open" /> business hours</li>
      <li><span className="swatch swatch-up" /> up (counted)</li>
      <li><span className="swatch swatch-down" /> down (counted)</li>
      <li><span className="dot dot-up" /> active poll</li>
      <li><span className="dot dot-down" /> inactive poll</li>
      <li><span className="swatch swatch-outside" /> outside the week</li>
    </ul>
  );
}

function DayLane({ day }: { day: TimelineDay }) {
  const up = day.counted.filter((c) => c.active).reduce((s, c) => s + c.to - c.from, 0);
  const down = day.counted.filter((c) => !c.active).reduce((s, c) => s + c.to - c.from, 0);
  const hours = (Date.parse(day.end) - Date.parse(day.start)) / 3_600_000;
  const summary = `${day.weekday} ${day.date}: ${day.open.length ? `${(up * hours).toFixed(1)} h up, ${(down * hours).toFixed(1)} h down in business hours` : "closed"}, ${day.polls.length} polls`;
  return (
    <div className="lane" role="listitem" aria-label={summary} data-date={day.date}>
      <div className="lane-label">
        <strong>{day.weekday.slice(0, 3)}</strong> {day.date}
      </div>
      <div className="lane-track">
        {day.window && (
          <>
            <div className="outside" style={{ left: 0, width: pct(day.window[0]) }} />
            <div className="outside" style={{ left: pct(day.window[1]), width: pct(1 - day.window[1]) }} />
          </>
        )}
        {day.open.map(([from, to]) => (
          <div key={`o${from}`} className="open-band" style={{ left: pct(from), width: pct(to - from) }} />
        ))}
        {day.counted.map((c) => (
          <div key={`c${c.from}`} className={c.active ? "span-up" : "span-down"} style={{ left: pct(c.from), width: pct(c.to - c.from) }} />
        ))}
        {day.polls.map((p) => (
          <span key={`p${p.at}`} className={p.active ? "poll dot-up" : "poll dot-down"} style={{ left: pct(p.at) }} title={`${p.time} ${p.active ? "active" : "inactive"}`} />
        ))}
      </div>
      <div className="lane-ticks" aria-hidden="true">
        {[0, 6, 12, 18, 24].map((h) => (
          <span key={h} style={{ left: pct(h / 24) }}>{String(h).padStart(2, "0")}:00</span>
        ))}
      </div>
    </div>
  );
}

function Hours({ store }: { store: StoreTimelineView }) {
  return (
    <section aria-labelledby="hours-heading">
      <h2 id="hours-heading">Business hours</h2>
      {store.hours.length === 0 ? (
        <p>Open 24x7 (no hours on file).</p>
      ) : (
        <table className="data-table hours" aria-label="Business hours">
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Opens</th>
              <th scope="col">Closes</th>
            </tr>
          </thead>
          <tbody>
            {store.hours.map((h, i) => (
              <tr key={i}>
                <td>{WEEKDAYS[h.dayOfWeek]}</td>
                <td>{h.start}</td>
                <td>
                  {h.end}
                  {h.end <= h.start && <span className="muted"> (next day)</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {store.hours.length > 0 && WEEKDAYS.some((_, d) => !store.hours.some((h) => h.dayOfWeek === d)) && (
        <p className="muted small">Days without a row are closed.</p>
      )}
    </section>
  );
}
