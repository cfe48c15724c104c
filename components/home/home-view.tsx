"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { FleetNowView, FleetPeriodsView, StorePeriods } from "@/lib/api/views/fleet";
import { ErrorState, Loading } from "@/components/ui/states";
import { useState } from "react";
import { ClockSetting, formatTime, useClockChoice, useTicking, viewerZone, zoneFor, type ClockChoice } from "./clock";
import { formatLength, STATE_LABEL } from "./words";
import { Comparison, Trend } from "./periods";
import { StoreList } from "./store-list";

/** The stores now are asked for again this often; their days change at most once a day, so less often. */
const NOW_EVERY_MS = 30_000;
const PERIODS_EVERY_MS = 5 * 60_000;
/** A newest poll older than this (the poll interval's allowance, as FRESH_WITHIN) means polls are not arriving. */
const QUIET_MS = 90 * 60_000;

export function HomeView() {
  const now = useQuery({ queryKey: queryKeys.fleetNow(), queryFn: api.fleetNow, refetchInterval: NOW_EVERY_MS });
  const periods = useQuery({ queryKey: queryKeys.fleetPeriods(), queryFn: api.fleetPeriods, refetchInterval: PERIODS_EVERY_MS });
  const [clock, setClock] = useClockChoice();

  return (
    <section aria-labelledby="home-heading" className="home">
      <div className="section-head">
        <h1 id="home-heading">Your stores now</h1>
        {now.data && <Updated at={now.dataUpdatedAt} fetching={now.isFetching} />}
      </div>
      {now.isPending && <Loading what="your stores" />}
      {now.isError && <ErrorState error={now.error} what="your stores" />}
      {now.data && now.data.asOf === null && <NoData />}
      {now.data?.asOf && (
        <>
          <AsOf now={now.data} />
          <Ongoing now={now.data} clock={clock} week={periods.data} />
          <Counts counts={now.data.counts} />
          <ClockSetting choice={clock} onChoose={setClock} />
        </>
      )}
      {now.data?.asOf && periods.isPending && <Loading what="the weeks" />}
      {periods.isError && <ErrorState error={periods.error} what="the weeks" />}
      {now.data?.asOf && periods.data && (
        <>
          <Comparison periods={periods.data} />
          <Trend trend={periods.data.trend} />
          <StoreList stores={periods.data.stores} lastDay={periods.data.lastDay} />
        </>
      )}
      <p className="muted small">
        Reports of every store over the last hour, day and week, and their CSV, are on the <Link href="/reports">reports page</Link>.
      </p>
    </section>
  );
}

function Updated({ at, fetching }: { at: number; fetching: boolean }) {
  const ticking = useTicking(1000);
  const seconds = Math.max(0, Math.round((ticking - at) / 1000));
  return (
    <p className="updated muted small" aria-live="off">
      {fetching ? "updating…" : `updated ${seconds} s ago`} · every {NOW_EVERY_MS / 1000} s
    </p>
  );
}

/** Now is the newest poll: said, and said loudly when polls have stopped arriving. */
function AsOf({ now }: { now: FleetNowView }) {
  const behind = Date.parse(now.answeredAt) - Date.parse(now.asOf!);
  const when = formatTime(now.asOf!, viewerZone());
  if (behind <= QUIET_MS) return <p className="muted small">As of the newest poll, {when}.</p>;
  return (
    <p className="notice notice-quiet" role="note">
      <strong>No poll for {formatLength(behind / 1000)}:</strong> this is your stores as of the newest poll, {when}.
    </p>
  );
}

function NoData() {
  return (
    <div className="notice" role="note">
      <strong>No data loaded yet.</strong>
      <p>
        Load the three feeds (polls, business hours, time zones) on the <Link href="/admin/upload">upload page</Link> or with{" "}
        <code>npm run db:load -- &lt;directory&gt;</code>, or send polls to <code>POST /api/polls</code>.
      </p>
    </div>
  );
}

/** Stores down or silent shown before "Show all": enough for a first screen and a half on a phone. */
const FIRST_ONGOING = 8;

/** The stores down or without data now, the longest first: the first thing an owner sees. */
function Ongoing({ now, clock, week }: { now: FleetNowView; clock: ClockChoice; week: FleetPeriodsView | undefined }) {
  const [all, setAll] = useState(false);
  const weekOf = new Map((week?.stores ?? []).map((s) => [s.storeId, s]));
  const { down, noData, stores } = now.counts;
  const shown = all ? now.ongoing : now.ongoing.slice(0, FIRST_ONGOING);
  const more = down + noData - now.ongoing.length;
  return (
    <section aria-labelledby="ongoing-heading">
      <h2 id="ongoing-heading">
        Down now: {down} · no data: {noData}
      </h2>
      {now.ongoing.length === 0 ? (
        <p className="notice notice-fine">All {stores.toLocaleString("en-US")} stores are up.</p>
      ) : (
        <ul className="ongoing" aria-label="Stores down or without data now">
          {shown.map((o) => (
            <li key={o.storeId} className={`ongoing-card ongoing-${o.state}`}>
              <Link className="ongoing-name" href={`/stores/${encodeURIComponent(o.storeId)}`}>
                {o.name ?? o.storeId}
              </Link>
              <span className={`state state-${o.state}`}>{STATE_LABEL[o.state]}</span>
              <span className="ongoing-since">
                {o.state === "no_data" ? "no poll since " : o.sinceFirstPoll ? "since its first poll, " : "since "}
                <time dateTime={o.since}>{formatTime(o.since, zoneFor(clock, o.timeZone))}</time>
              </span>
              <span className="ongoing-length">
                <strong>{formatLength(o.businessSeconds)}</strong> in business hours, ongoing
                {!o.openNow && <span className="muted"> · closed now</span>}
              </span>
              <WeekFigures store={weekOf.get(o.storeId)} />
            </li>
          ))}
        </ul>
      )}
      {!all && now.ongoing.length > FIRST_ONGOING && (
        <button type="button" onClick={() => setAll(true)}>
          Show all {now.ongoing.length} down or without data
        </button>
      )}
      {all && more > 0 && <p className="muted small">And {more} more, the shortest: see the stores below.</p>}
    </section>
  );
}

function WeekFigures({ store }: { store: StorePeriods | undefined }) {
  if (!store) return null;
  return (
    <span className="ongoing-week muted">
      this week {store.week.uptimePercent === null ? "closed" : `${store.week.uptimePercent.toFixed(1)}% up`} ·{" "}
      {store.week.downHours.toFixed(1)} h down
    </span>
  );
}

function Counts({ counts }: { counts: FleetNowView["counts"] }) {
  return (
    <ul className="cards now-counts" aria-label="Your stores now">
      <li className="card">
        <span className="card-label">Down</span>
        <span className="card-value state-text-down">{counts.down}</span>
      </li>
      <li className="card">
        <span className="card-label">No data</span>
        <span className="card-value">{counts.noData}</span>
      </li>
      <li className="card">
        <span className="card-label">Up</span>
        <span className="card-value state-text-up">{counts.up}</span>
      </li>
      <li className="card">
        <span className="card-label">Stores</span>
        <span className="card-value">{counts.stores}</span>
      </li>
    </ul>
  );
}
