import { describe, expect, it } from "vitest";
import { parseDayOfWeek, parsePollTimestamp, parseStatus, parseTimeOfDay, parseTimeZone, parseTimestampUtc } from "./values";

describe("timestamps", () => {
  it.each([
    ["2023-01-22 12:09:39.388884 UTC", "2023-01-22 12:09:39.388884+00"],
    ["2023-01-22 12:09:39.38 UTC", "2023-01-22 12:09:39.38+00"],
    ["2023-01-22 12:09:39 UTC", "2023-01-22 12:09:39+00"],
    ["2023-01-22 12:09:39.5 utc", "2023-01-22 12:09:39.5+00"],
    ["2023-01-22T12:09:39Z", "2023-01-22 12:09:39+00"],
    ["2023-01-22T12:09:39.123456Z", "2023-01-22 12:09:39.123456+00"],
    ["2023-01-22T12:09:39+05:30", "2023-01-22 12:09:39+05:30"],
    ["2023-01-22T12:09:39-0800", "2023-01-22 12:09:39-08:00"],
    ["2023-01-22T12:09:39", "2023-01-22 12:09:39+00"],
    [" 2024-02-29 00:00:00 UTC ", "2024-02-29 00:00:00+00"],
    ["0001-01-01T00:00:00Z", "0001-01-01 00:00:00+00"],
    ["0001-01-01T00:00:00-05:00", "0001-01-01 00:00:00-05:00"],
    ["9999-12-31 23:59:59.999999 UTC", "9999-12-31 23:59:59.999999+00"],
    ["9999-12-31T23:59:59+14:00", "9999-12-31 23:59:59+14:00"],
  ])("accepts %j", (raw, normalised) => {
    expect(parseTimestampUtc(raw)).toBe(normalised);
  });

  it.each([
    "",
    "yesterday",
    "2023-01-22",
    "2023-13-01 00:00:00 UTC",
    "2023-02-29 00:00:00 UTC",
    "2023-01-22 24:00:00 UTC",
    "2023-01-22 12:60:00 UTC",
    "2023-01-22 12:09:39.1234567 UTC",
    "2023-01-22 12:09:39 PST",
    "1674389379",
  ])("refuses %j", (raw) => {
    expect(parseTimestampUtc(raw)).toBeNull();
  });

  it.each([
    "0000-01-01T00:00:00Z",
    "0000-12-31 23:59:59 UTC",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-00:01",
    "9999-12-31T23:00:00-14:00",
  ])("refuses %j: an instant outside the years 0001-9999 UTC, which PostgreSQL would refuse or misread", (raw) => {
    expect(parseTimestampUtc(raw)).toBeNull();
  });
});

describe("status", () => {
  it.each([
    ["active", "active"],
    ["Active", "active"],
    ["INACTIVE", "inactive"],
    [" inactive ", "inactive"],
  ])("accepts %j in any case", (raw, status) => expect(parseStatus(raw)).toBe(status));
  it.each(["", "up", "activ", "1"])("refuses %j", (raw) => expect(parseStatus(raw)).toBeNull());
});

describe("day of week", () => {
  it.each([
    ["0", 0],
    ["6", 6],
    [" 3 ", 3],
  ])("accepts %j", (raw, day) => expect(parseDayOfWeek(raw)).toBe(day));
  it.each(["7", "-1", "", "Monday", "1.5"])("refuses %j", (raw) => expect(parseDayOfWeek(raw)).toBeNull());
});

describe("time of day", () => {
  it.each([
    ["09:00:00", "09:00:00"],
    ["9:00:00", "09:00:00"],
    ["23:59:59", "23:59:59"],
    ["0:00:00", "00:00:00"],
  ])("accepts %j", (raw, time) => expect(parseTimeOfDay(raw)).toBe(time));
  it.each(["24:00:00", "9:00", "09:60:00", "09:00:60", "nine", "09:00:00 PM", ""])("refuses %j", (raw) =>
    expect(parseTimeOfDay(raw)).toBeNull(),
  );
});

describe("time zones", () => {
  it.each(["America/Chicago", "Asia/Kolkata", "America/Argentina/Buenos_Aires", "UTC", "Etc/GMT+5"])("accepts %j", (zone) =>
    expect(parseTimeZone(zone)).toBe(zone),
  );
  it.each(["Mars/Olympus_Mons", "America/Chicagoo", "", "+05:00", "EST5EDT; DROP TABLE"])("refuses %j", (zone) =>
    expect(parseTimeZone(zone)).toBeNull(),
  );
});

describe("poll timestamps", () => {
  const now = Date.parse("2026-11-28T12:00:00Z");
  it.each(["1970-01-01 00:00:00 UTC", "2023-01-22 12:09:39.388884 UTC", "2026-11-29T11:59:59Z", "2026-11-29T12:00:00Z"])(
    "takes %j: from 1970 to one day after the server's clock",
    (raw) => {
      expect(parsePollTimestamp(raw, now)).toBe(parseTimestampUtc(raw));
    },
  );
  it.each(["1969-12-31 23:59:59 UTC", "2026-11-29T12:00:01Z", "9999-12-31 00:00:00 UTC", "2026-11-29T13:00:00+00:59"])(
    "refuses %j: before 1970, or more than a day ahead (it would become every later report's now)",
    (raw) => {
      expect(parsePollTimestamp(raw, now)).toBeNull();
    },
  );
});
