import { OwnersPanel } from "@/components/admin/owners-panel";
import { requirePage } from "@/lib/auth/page-access";

export const metadata = { title: "Owners" };

export const dynamic = "force-dynamic";

export default async function OwnersPage() {
  await requirePage("admin", "/admin/owners");
  return <OwnersPanel />;
}
