import { MAX_ONGOING, type FleetNowView, type OngoingStore } from "../api/views/fleet";
import { byName, readFleet, type VisibleStores } from "./read";

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();

/**
 * The caller's stores now: how many are up, down and without data, and those down or without data, the longest
 * (in business time) first, with since when and for how long within their business hours. Two queries over
 * poll_stores, whatever the history.
 */
export async function fleetNow(visible: VisibleStores): Promise<FleetNowView> {
  const { asOf, stores } = await readFleet(visible, async (_client, fleet) => fleet);
  const counts = { stores: stores.length, up: 0, down: 0, noData: 0 };
  const ongoing: (OngoingStore & { businessUs: number })[] = [];
  for (const s of stores) {
    const { state, since, sinceFirstPoll, businessUs, openNow } = s.now;
    counts[state === "no_data" ? "noData" : state]++;
    if (state === "up") continue;
    ongoing.push({
      storeId: s.storeId,
      name: s.name,
      timeZone: s.zone,
      state,
      since: iso(since),
      sinceFirstPoll,
      businessSeconds: Math.round(businessUs / 1e3) / 1e3,
      businessUs,
      openNow,
      lastPollAt: iso(s.lastPoll),
      lastPollActive: s.lastActive,
    });
  }
  ongoing.sort((a, b) => b.businessUs - a.businessUs || byName(a, b));
  return {
    asOf: asOf === null ? null : iso(asOf),
    answeredAt: new Date().toISOString(),
    counts,
    ongoing: ongoing.slice(0, MAX_ONGOING).map(({ businessUs: _, ...o }) => o),
  };
}
