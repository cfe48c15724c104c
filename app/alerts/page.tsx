import { AlertsList } from "@/components/alerts/alerts-list";
import { RulesPanel } from "@/components/alerts/rules-panel";
import { pageViewer, requirePage } from "@/lib/auth/page-access";

export const metadata = { title: "Alerts" };

export const dynamic = "force-dynamic";

export default async function AlertsPage() {
  await requirePage("reports", "/alerts");
  const viewer = await pageViewer();
  const manages = viewer.kind === "admin" || viewer.kind === "member";
  return (
    <>
      <h1>Alerts</h1>
      <p className="muted">
        An incident opens when a store has been down within its business hours for the alert rule&apos;s time, by the report&apos;s rules
        (the nearest poll, business hours in the store&apos;s zone), and resolves when it is up again or its business hours end. A &ldquo;no
        data&rdquo; incident opens when a store is open and no poll has come for a while (the poller, not the store), and resolves with the
        next poll.
      </p>
      <h2>Incidents</h2>
      <AlertsList />
      {manages && <RulesPanel admin={viewer.kind === "admin"} owners={viewer.owners} />}
    </>
  );
}
