import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { UploadPanel } from "@/components/admin/upload-panel";
import { SESSION_COOKIE, verifySession } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export default async function UploadPage() {
  if (!(await verifySession((await cookies()).get(SESSION_COOKIE)?.value))) redirect("/admin/sign-in?next=/admin/upload");
  return <UploadPanel />;
}
