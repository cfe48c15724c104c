// DELETE /api/admin/sessions - sign out everywhere: ends every session of the signed-in account (for the
// bootstrap admin, every admin-token session), this one included
import { noContent, route } from "@/lib/api/respond";
import { signOut } from "@/lib/auth/sign-out";

export const dynamic = "force-dynamic";

export const DELETE = route(async (request) => noContent({}, await signOut(request, { everywhere: true })));
