"use client";

import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { api } from "@/lib/api/client";
import { queryKeys } from "@/lib/api/query-keys";
import type { RuleInput, RuleView } from "@/lib/api/views/alerts";
import { submitted, useAction } from "@/components/admin/use-action";
import { ErrorState, Loading } from "@/components/ui/states";
import { Refusal } from "@/components/ui/refusal";
import { formatInstant } from "@/components/ui/format";
import { ListTable } from "@/components/ui/list-table";
import { OwnerChoice } from "@/components/admin/owner-choice";
import { StorePicker } from "./store-picker";

/** A weekly report's days by their number in the API: 0 = Monday .. 6 = Sunday, as in the business-hours feed. */
const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function what(r: RuleView): string {
  if (r.schedule)
    return `a report every ${r.schedule.every === "week" ? WEEKDAYS[r.schedule.weekday ?? 0] : "day"} at ${r.schedule.at} (${r.schedule.timeZone})`;
  return `down ${r.afterMinutes} min${r.noDataMinutes ? `; no polls ${r.noDataMinutes} min` : ""}`;
}

function channels(r: RuleView): string {
  const all = [r.webhookUrl && `webhook ${new URL(r.webhookUrl).host}`, r.slackUrl && "Slack", ...r.emailTo];
  return all.filter(Boolean).join(", ");
}

/**
 * Alert rules: which stores, after how long, and where to say it; or a report on a schedule. Admins manage every
 * rule; an owner's members the rules of their owners' stores.
 */
export function RulesPanel({ admin, owners }: { admin: boolean; owners: { slug: string; name: string }[] }) {
  const rules = useQuery({ queryKey: queryKeys.rules(), queryFn: api.rules });
  const save = useAction(api.saveRule, queryKeys.rules());
  const remove = useAction(api.removeRule, queryKeys.rules());
  const test = useMutation({ mutationFn: api.testRule });
  const [editing, setEditing] = useState<RuleView | null>(null);
  const [kind, setKind] = useState<"incidents" | "report">("incidents");
  const edit = (r: RuleView | null) => {
    setEditing(r);
    setKind(r?.kind ?? "incidents");
    save.reset();
  };

  return (
    <section aria-labelledby="rules">
      <h2 id="rules">Rules</h2>
      <p className="muted">
        Who hears of incidents, after how long, and how: a webhook signed with its secret, a Slack-compatible webhook, or e-mail. A rule may
        instead send a report every day or week, with its download link and the stores&apos; figures.
      </p>
      <Refusal message={remove.errorMessage} />
      {rules.isPending && <Loading what="the rules" />}
      {rules.isError && <ErrorState error={rules.error} what="the rules" />}
      {rules.data && (
        <ListTable
          label="Rules"
          columns={["Name", "Stores", "When", "Channels", ""]}
          empty={rules.data.rules.length === 0 && "No rules yet: incidents are recorded and shown here, and nobody is told."}
        >
          {rules.data.rules.map((r) => (
            <tr key={r.id}>
              <td>
                {r.name}
                {r.nextReportAt && <span className="store-id">next {formatInstant(r.nextReportAt)}</span>}
              </td>
              <td>
                {r.owner?.name ?? "every store"}
                {r.stores.length > 0 && ` (${r.stores.length} listed)`}
              </td>
              <td>{what(r)}</td>
              <td>
                {channels(r)}
                {r.warnings.map((w) => (
                  <strong key={w} className="error-text rule-warning">
                    {" "}
                    {w}
                  </strong>
                ))}
              </td>
              <td className="actions">
                <button type="button" onClick={() => test.mutate(r.id)} disabled={test.isPending}>
                  Test
                </button>
                {!r.fromEnvironment && (
                  <>
                    <button type="button" onClick={() => edit(r)}>
                      Edit
                    </button>
                    <button type="button" onClick={() => confirm(`Remove the rule "${r.name}"?`) && remove.mutate(r.id)}>
                      Remove
                    </button>
                  </>
                )}
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      {test.data && (
        <ul role="status" aria-label="Test results">
          {test.data.results.map((r) => (
            <li key={r.channel}>
              {r.target}: {r.ok ? "delivered" : <span className="error-text">{r.error}</span>}
            </li>
          ))}
        </ul>
      )}
      {test.isError && <ErrorState error={test.error} what="the test alert" />}

      <form
        key={editing?.id ?? "new"}
        className="stack narrow"
        aria-labelledby="rule-form"
        onSubmit={submitted((f, done) => {
          const minutes = (v: string | undefined) => (v ? Number(v) : null);
          const rule: Partial<RuleInput> = {
            name: f.name,
            kind,
            owner: f.owner || null,
            stores: (f.stores ?? "").split(/[\s,]+/).filter(Boolean),
            webhookUrl: f.webhookUrl || null,
            webhookSecret: f.webhookSecret || null,
            slackUrl: f.slackUrl || null,
            emailTo: (f.emailTo ?? "").split(/[\s,;]+/).filter(Boolean),
            ...(kind === "incidents"
              ? { afterMinutes: minutes(f.afterMinutes) ?? 15, noDataMinutes: minutes(f.noDataMinutes) }
              : {
                  schedule: {
                    every: f.every as "day" | "week",
                    at: f.at!,
                    weekday: f.every === "week" ? Number(f.weekday) : null,
                    timeZone: f.timeZone || "UTC",
                  },
                }),
          };
          save.mutate({ id: editing?.id, rule }, { onSuccess: () => (done(), edit(null)) });
        })}
      >
        <h2 id="rule-form">{editing ? `Edit "${editing.name}"` : "New rule"}</h2>
        <label>
          Name
          <input name="name" required maxLength={100} defaultValue={editing?.name} placeholder="Downtown managers" />
        </label>
        <fieldset>
          <legend>What</legend>
          <label className="inline">
            <input type="radio" name="kind" value="incidents" checked={kind === "incidents"} onChange={() => setKind("incidents")} /> Tell
            of incidents
          </label>
          <label className="inline">
            <input type="radio" name="kind" value="report" checked={kind === "report"} onChange={() => setKind("report")} /> Send a report
            on a schedule
          </label>
        </fieldset>
        <OwnerChoice admin={admin} owners={owners} defaultValue={editing?.owner?.slug ?? ""} />
        <StorePicker name="stores" initial={editing?.stores ?? []} />
        {kind === "incidents" ? (
          <>
            <label>
              Tell when a store has been down within its business hours for (minutes)
              <input name="afterMinutes" type="number" min={1} max={1440} required defaultValue={editing?.afterMinutes ?? 15} />
            </label>
            <label>
              Also when an open store has sent no poll for (minutes; empty: never)
              <input name="noDataMinutes" type="number" min={1} max={10080} defaultValue={editing?.noDataMinutes ?? ""} />
            </label>
          </>
        ) : (
          <>
            <label>
              Every
              <select name="every" defaultValue={editing?.schedule?.every ?? "day"}>
                <option value="day">day</option>
                <option value="week">week, on the weekday below</option>
              </select>
            </label>
            <label>
              Weekday (weekly reports)
              <select name="weekday" defaultValue={String(editing?.schedule?.weekday ?? 0)}>
                {WEEKDAYS.map((d, i) => (
                  <option key={d} value={i}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            <label>
              At (local time)
              <input name="at" type="time" required defaultValue={editing?.schedule?.at ?? "07:00"} />
            </label>
            <label>
              Time zone
              <input
                name="timeZone"
                required
                defaultValue={editing?.schedule?.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone}
              />
            </label>
          </>
        )}
        <fieldset>
          <legend>Channels (at least one)</legend>
          <label>
            Webhook address (signed JSON)
            <input
              name="webhookUrl"
              type="url"
              defaultValue={editing?.webhookUrl ?? ""}
              placeholder="https://example.com/hooks/store-monitor"
            />
          </label>
          <label>
            Webhook secret (16+ characters; empty: one is made, or the current one kept)
            <input name="webhookSecret" minLength={16} autoComplete="off" />
          </label>
          {editing?.webhookSecret && (
            <p className="muted">
              Current secret: <code>{editing.webhookSecret}</code>
            </p>
          )}
          <label>
            Slack-compatible incoming webhook
            <input name="slackUrl" type="url" defaultValue={editing?.slackUrl ?? ""} />
          </label>
          <label>
            E-mail addresses (commas between)
            <input name="emailTo" defaultValue={editing?.emailTo.join(", ")} placeholder="manager@example.com" />
          </label>
        </fieldset>
        <Refusal message={save.errorMessage} />
        <p className="actions">
          <button type="submit" disabled={save.isPending}>
            {editing ? "Save rule" : "Add rule"}
          </button>
          {editing && (
            <button type="button" onClick={() => edit(null)}>
              Cancel
            </button>
          )}
        </p>
      </form>
    </section>
  );
}
