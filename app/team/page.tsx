import { notFound } from "next/navigation";
import { TeamPanel } from "@/components/team/team-panel";
import { pageViewer, requirePage } from "@/lib/auth/page-access";

export const metadata = { title: "Team" };

export const dynamic = "force-dynamic";

/** An owner's team, for its managers; for anyone else there is no such page. */
export default async function TeamPage() {
  await requirePage("account", "/team");
  const viewer = await pageViewer();
  if (viewer.manages.length === 0) notFound();
  return <TeamPanel owners={viewer.manages} email={viewer.email} />;
}
