"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import { usePathname, useSearchParams } from "next/navigation";
import { useState } from "react";
import type { StoreHistoryView, StoreTimelineView, TimelineDay } from "@/lib/api/views/reports";
import type { IncidentView } from "@/lib/api/views/alerts";
import { FIGURES } from "@/lib/uptime/figures";
import { healthOf } from "@/lib/uptime/health";
import { AlertsList } from "@/components/alerts/alerts-list";
import { ErrorState, Loading } from "@/components/ui/states";
import { formatNumber } from "@/components/ui/format";
import { formatTime } from "@/components/home/clock";

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const pct = (f: number) => `${(f * 100).toFixed(3)}%`;

export function StoreView({ storeId, reportId }: { storeId: string; reportId?: string }) {
  const timeline = useQuery({ queryKey: queryKeys.storeTimeline(storeId, reportId), queryFn: () => api.storeTimeline(storeId, reportId) });
  // The same query as the incident list below (one request): drawn on the lanes too.
  const incidents = useQuery({ queryKey: queryKeys.alerts(storeId), queryFn: () => api.alerts(storeId) });
  const back = reportId ? <Link href={`/reports/${reportId}`}>Back to the report</Link> : <Link href="/">Your stores now</Link>;

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
        {store.timeZoneDefaulted && <span className="muted"> (no time zone on file: the default, America/Chicago)</span>} · week ending{" "}
        {formatTime(store.asOf, store.timeZone)}
      </p>
      {/* Ongoing trouble first: the store's incidents, to acknowledge, and its notifications, to mute. */}
      <section aria-labelledby="incidents-heading">
        <h2 id="incidents-heading">Incidents</h2>
        <AlertsList storeId={store.storeId} timeZone={store.timeZone} />
      </section>
      <Figures store={store} />
      <section aria-labelledby="week-heading">
        <h2 id="week-heading">The last 7 days, in the store&apos;s local time</h2>
        <Legend />
        <div className="timeline" role="list" aria-label="Days">
          {store.days.map((day) => (
            <DayLane key={day.date} day={day} timeZone={store.timeZone} incidents={incidents.data?.incidents ?? []} />
          ))}
        </div>
      </section>
      <Outages store={store} />
      <Hours store={store} />
      <History storeId={store.storeId} reportId={reportId} />
    </>
  );
}

function Figures({ store }: { store: StoreTimelineView }) {
  const f = store.figures;
  // One row per window: its uptime and downtime figures, in the report's order.
  const rows = FIGURES.filter((up) => up.part === "up").map((up): [string, number, number, string] => {
    const down = FIGURES.find((d) => d.part === "down" && d.window === up.window)!;
    return [`Last ${up.window}`, f[up.column], f[down.column], up.unit === "minutes" ? "min" : "h"];
  });
  return (
    <section aria-labelledby="figures-heading">
      <h2 id="figures-heading">Within business hours</h2>
      <table className="data-table figures" aria-label="Uptime and downtime">
        <thead>
          <tr>
            <th scope="col">Window</th>
            <th scope="col" className="num">
              Uptime
            </th>
            <th scope="col" className="num">
              Downtime
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, up, down, unit]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="num">
                {formatNumber(up)} {unit}
              </td>
              <td className={`num${down > 0 ? " down" : ""}`}>
                {formatNumber(down)} {unit}
              </td>
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

/** Seconds as "2 h 05 min 09 s". */
function lengthOf(seconds: number): string {
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  return h
    ? `${h} h ${String(m).padStart(2, "0")} min ${String(r).padStart(2, "0")} s`
    : m
      ? `${m} min ${String(r).padStart(2, "0")} s`
      : `${r} s`;
}

/** The week's outages within business hours: when each began and ended in the store's time, and for how long. */
function Outages({ store }: { store: StoreTimelineView }) {
  const total = store.outages.reduce((sum, o) => sum + o.seconds, 0);
  return (
    <section aria-labelledby="outages-heading">
      <h2 id="outages-heading">When it was down</h2>
      {store.outages.length === 0 ? (
        <p>No downtime within business hours in this week.</p>
      ) : (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Outages, scrollable">
          <table className="data-table" aria-label="Outages">
            <thead>
              <tr>
                <th scope="col">From ({store.timeZone})</th>
                <th scope="col">To</th>
                <th scope="col" className="num">
                  For
                </th>
              </tr>
            </thead>
            <tbody>
              {store.outages.map((o) => {
                // Down up to the week's end: still down then (now, or the report's time).
                const ongoing = Date.parse(o.end) === Date.parse(store.asOf);
                return (
                  <tr key={o.start}>
                    <td>{o.localStart}</td>
                    <td>{ongoing ? <strong>{store.reportId ? "ongoing at the report's time" : "ongoing"}</strong> : o.localEnd}</td>
                    <td className="num down">{lengthOf(o.seconds)}</td>
                  </tr>
                );
              })}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row" colSpan={2}>
                  {store.outages.length} outage{store.outages.length === 1 ? "" : "s"} in the week
                </th>
                <td className="num">{lengthOf(total)}</td>
              </tr>
            </tfoot>
          </table>
        </div>
      )}
      <p className="muted small">Down within business hours by the report&apos;s rules; closing time ends an outage.</p>
    </section>
  );
}

/** Business-hours uptime per local date over the last 30 days (or 90), as bars with a table beside them. */
function History({ storeId, reportId }: { storeId: string; reportId?: string }) {
  // Kept in the address (?days=90), so that a shared link shows the same span.
  const params = useSearchParams();
  const pathname = usePathname();
  const days = params.get("days") === "90" ? 90 : 30;
  const other = new URLSearchParams(params);
  if (days === 30) other.set("days", "90");
  else other.delete("days");
  const history = useQuery({
    queryKey: queryKeys.storeHistory(storeId, days, reportId),
    queryFn: () => api.storeHistory(storeId, days, reportId),
  });
  return (
    <section aria-labelledby="history-heading">
      <div className="section-head">
        <h2 id="history-heading">Daily uptime, last {days} days</h2>
        <Link className="button" href={other.size ? `${pathname}?${other}` : pathname} replace scroll={false}>
          Show {days === 30 ? 90 : 30} days
        </Link>
      </div>
      {history.isPending && <Loading what="the history" />}
      {history.isError && <ErrorState error={history.error} what="the history" />}
      {history.data && <HistoryBars history={history.data} />}
    </section>
  );
}

function HistoryBars({ history }: { history: StoreHistoryView }) {
  const width = 720;
  const height = 120;
  const bar = width / history.days.length;
  const state = (d: StoreHistoryView["days"][number]) =>
    d.polls === 0 ? "no polls" : d.uptimePercent === null ? "closed" : `${d.uptimePercent.toFixed(1)}%`;
  const label = (d: StoreHistoryView["days"][number]) =>
    `${d.date}: ${d.uptimePercent === null ? state(d) : `${state(d)} up (${d.upHours.toFixed(2)} h up, ${d.downHours.toFixed(2)} h down)`}`;
  return (
    <>
      <svg
        className="history-chart"
        viewBox={`0 0 ${width} ${height + 16}`}
        role="img"
        aria-label={`Daily business-hours uptime, ${history.days[0]?.date} to ${history.days.at(-1)?.date}`}
      >
        {[100, 95, 50].map((p) => (
          <g key={p}>
            <line x1={0} x2={width} y1={height - (p / 100) * height} y2={height - (p / 100) * height} className="grid" />
          </g>
        ))}
        {history.days.map((d, i) => {
          const h = d.uptimePercent === null ? 4 : Math.max(2, (d.uptimePercent / 100) * height);
          return (
            <rect
              key={d.date}
              x={i * bar + 1}
              y={height - h}
              width={Math.max(1, bar - 2)}
              height={h}
              className={`bar bar-${d.uptimePercent === null ? (d.polls === 0 ? "nodata" : "closed") : healthOf(d.uptimePercent)}`}
            >
              <title>{label(d)}</title>
            </rect>
          );
        })}
        <text x={0} y={height + 13} className="axis">
          {history.days[0]?.date}
        </text>
        <text x={width} y={height + 13} className="axis" textAnchor="end">
          {history.days.at(-1)?.date}
        </text>
      </svg>
      <details>
        <summary>The same, as a table</summary>
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Daily uptime, scrollable">
          <table className="data-table" aria-label="Daily uptime">
            <thead>
              <tr>
                <th scope="col">Date ({history.timeZone})</th>
                <th scope="col" className="num">
                  Uptime
                </th>
                <th scope="col" className="num">
                  Up (h)
                </th>
                <th scope="col" className="num">
                  Down (h)
                </th>
              </tr>
            </thead>
            <tbody>
              {history.days.map((d) => (
                <tr key={d.date}>
                  <td>{d.date}</td>
                  <td className="num">{state(d)}</td>
                  <td className="num">{d.upHours.toFixed(2)}</td>
                  <td className="num">{d.downHours.toFixed(2)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </>
  );
}

function Legend() {
  return (
    <ul className="legend" aria-label="Legend">
      <li>
        <span className="swatch swatch-open" /> business hours
      </li>
      <li>
        <span className="swatch swatch-up" /> up (counted)
      </li>
      <li>
        <span className="swatch swatch-down" /> down (counted)
      </li>
      <li>
        <span className="dot dot-up" /> active poll
      </li>
      <li>
        <span className="dot dot-down" /> inactive poll
      </li>
      <li>
        <span className="swatch swatch-outside" /> outside the week
      </li>
      <li>
        <span className="swatch swatch-incident" /> incident (alert)
      </li>
    </ul>
  );
}

/** What a tap or a hover on a lane shows: the counted span there, from when to when in the store's time. */
function spanDetail(day: TimelineDay, span: TimelineDay["counted"][number], timeZone: string): string {
  const [start, end] = [Date.parse(day.start), Date.parse(day.end)];
  const time = (f: number) =>
    new Date(start + f * (end - start)).toLocaleTimeString("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", second: "2-digit" });
  const minutes = Math.round(((span.to - span.from) * (end - start)) / 60_000);
  return `${span.active ? "Up" : "Down"} from ${time(span.from)} to ${time(span.to)} (${minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`})`;
}

/** The incidents on a day's lane: where each lies within it (fractions of the day), with what it was. */
function incidentMarks(day: TimelineDay, incidents: readonly IncidentView[], timeZone: string) {
  const [start, end] = [Date.parse(day.start), Date.parse(day.end)];
  const time = (t: number) => new Date(t).toLocaleTimeString("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" });
  return incidents.flatMap((i) => {
    const [from, to] = [Date.parse(i.startedAt), i.resolvedAt ? Date.parse(i.resolvedAt) : Date.now()];
    if (to <= start || from >= end) return [];
    const what = i.kind === "down" ? "down" : "no data";
    return [
      {
        id: i.id,
        from: (Math.max(from, start) - start) / (end - start),
        to: (Math.min(to, end) - start) / (end - start),
        kind: i.kind,
        title: `Incident (${what}): ${time(from)} to ${i.resolvedAt ? time(to) : "now"}`,
      },
    ];
  });
}

function DayLane({ day, timeZone, incidents }: { day: TimelineDay; timeZone: string; incidents: readonly IncidentView[] }) {
  const [detail, setDetail] = useState<string | null>(null);
  // A tap anywhere on the lane tells the span under it (the outage list above says the same for the keyboard).
  const tap = (e: React.MouseEvent<HTMLDivElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const at = (e.clientX - box.left) / box.width;
    const span = day.counted.find((c) => c.from <= at && at < c.to);
    setDetail(span ? spanDetail(day, span, timeZone) : "Outside business hours, or outside the week");
  };
  const summary = `${day.weekday} ${day.date}: ${day.open.length ? `${(day.upSeconds / 3600).toFixed(1)} h up, ${(day.downSeconds / 3600).toFixed(1)} h down in business hours` : "closed"}, ${day.polls.length} polls`;
  return (
    <div className="lane" role="listitem" aria-label={summary} data-date={day.date}>
      <div className="lane-label">
        <strong>{day.weekday.slice(0, 3)}</strong> {day.date}
        <span className="lane-totals">
          {day.open.length ? (
            <>
              {(day.upSeconds / 3600).toFixed(1)} h up
              {day.downSeconds > 0 && <span className="down-text"> · {(day.downSeconds / 3600).toFixed(1)} h down</span>}
            </>
          ) : (
            "closed"
          )}
        </span>
      </div>
      <div className="lane-track" onClick={tap}>
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
          <div
            key={`c${c.from}`}
            className={c.active ? "span-up" : "span-down"}
            style={{ left: pct(c.from), width: pct(c.to - c.from) }}
            title={spanDetail(day, c, timeZone)}
          />
        ))}
        {incidentMarks(day, incidents, timeZone).map((m) => (
          <div
            key={`i${m.id}`}
            className={`incident-mark incident-${m.kind}`}
            style={{ left: pct(m.from), width: pct(Math.max(m.to - m.from, 0.002)) }}
            title={m.title}
          />
        ))}
        {day.polls.map((p) => (
          <span
            key={`p${p.at}`}
            className={p.active ? "poll dot-up" : "poll dot-down"}
            style={{ left: pct(p.at) }}
            title={`${p.time} ${p.active ? "active" : "inactive"}`}
          />
        ))}
      </div>
      <div className="lane-ticks" aria-hidden="true">
        {[0, 6, 12, 18, 24].map((h) => (
          <span key={h} style={{ left: pct(h / 24) }}>
            {String(h).padStart(2, "0")}:00
          </span>
        ))}
      </div>
      {detail && (
        <p className="lane-detail" aria-live="polite">
          {detail}
        </p>
      )}
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
