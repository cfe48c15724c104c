// DELETE /api/admin/sessions - sign out everywhere: ends every admin session, this one included
import { noContent, route } from "@/lib/api/respond";
import { authorize } from "@/lib/auth/authorize";
import { clearedSessionCookie, endAllSessions } from "@/lib/auth/session";

export const dynamic = "force-dynamic";

export const DELETE = route(async (request) => {
  await authorize(request, "admin");
  await endAllSessions();
  return noContent({ "Set-Cookie": clearedSessionCookie() });
});
