import { KeysPanel } from "@/components/admin/keys-panel";
import { requirePage } from "@/lib/auth/page-access";
import { pageViewer } from "@/lib/auth/page-access";

export const metadata = { title: "Keys" };

export const dynamic = "force-dynamic";

export default async function KeysPage() {
  await requirePage("account", "/account/keys");
  const viewer = await pageViewer();
  return <KeysPanel admin={viewer.kind === "admin"} owners={viewer.owners} />;
}
