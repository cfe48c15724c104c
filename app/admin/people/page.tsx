import { PeoplePanel } from "@/components/admin/people-panel";
import { requirePage } from "@/lib/auth/page-access";

export const metadata = { title: "People" };

export const dynamic = "force-dynamic";

export default async function PeoplePage() {
  await requirePage("admin", "/admin/people");
  return <PeoplePanel />;
}
