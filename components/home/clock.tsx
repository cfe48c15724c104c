"use client";

import { useEffect, useState, useSyncExternalStore } from "react";

// One clock for the home, said every time: each store's own zone (its abbreviation beside every time), or the
// viewer's, as they choose; the choice is remembered in this browser. Never UTC unannounced.

export type ClockChoice = "store" | "viewer";
const KEY = "storemon.clock";
const listeners = new Set<() => void>();

function readChoice(): ClockChoice {
  try {
    return localStorage.getItem(KEY) === "viewer" ? "viewer" : "store";
  } catch {
    return "store"; // storage refused (private mode): the default
  }
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("storage", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", listener);
  };
}

/** The clock chosen in this browser, and the way to change it. */
export function useClockChoice(): [ClockChoice, (choice: ClockChoice) => void] {
  const choice = useSyncExternalStore(subscribe, readChoice, () => "store" as const);
  const choose = (next: ClockChoice) => {
    try {
      localStorage.setItem(KEY, next);
    } catch {
      // not remembered; this page still follows it
    }
    listeners.forEach((l) => l());
  };
  return [choice, choose];
}

/** The viewer's own zone, as their browser has it. */
export const viewerZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

const formats = new Map<string, Intl.DateTimeFormat>();
/** "Mon, Oct 14, 15:30 EDT": an instant on the clock of `zone`, with the zone's abbreviation (or its offset, "GMT+2"). */
export function formatTime(iso: string, zone: string): string {
  let format = formats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZoneName: "short",
    });
    formats.set(zone, format);
  }
  return format.format(new Date(iso));
}

/** The zone a store's times are shown in, by the viewer's choice. */
export const zoneFor = (choice: ClockChoice, storeZone: string) => (choice === "viewer" ? viewerZone() : storeZone);

/** The time now, ticking every `ms`: for "updated 12 s ago". */
export function useTicking(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** The clock setting: each store's zone, or the viewer's (named). Rendered in the browser only (it names its zone). */
export function ClockSetting({ choice, onChoose }: { choice: ClockChoice; onChoose: (c: ClockChoice) => void }) {
  return (
    <fieldset className="clock-setting">
      <legend>Times in</legend>
      <label>
        <input type="radio" name="clock" checked={choice === "store"} onChange={() => onChoose("store")} /> each store&apos;s zone
      </label>
      <label>
        <input type="radio" name="clock" checked={choice === "viewer"} onChange={() => onChoose("viewer")} /> my zone ({viewerZone()})
      </label>
    </fieldset>
  );
}
