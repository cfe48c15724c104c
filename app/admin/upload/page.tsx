import { UploadPanel } from "@/components/admin/upload-panel";
import { requirePage } from "@/lib/auth/page-access";

export const metadata = { title: "Upload feeds" };

export const dynamic = "force-dynamic";

export default async function UploadPage() {
  await requirePage("admin", "/admin/upload");
  return <UploadPanel />;
}
