// DELETE /api/admin/sessions - sign out everywhere: ends every session of the signed-in account (for the
// bootstrap admin, every admin-token session), this one included
import { operations } from "@/lib/api/contract";
import { noContent, route } from "@/lib/api/respond";
import { signOut } from "@/lib/auth/sign-out";

export const dynamic = "force-dynamic";

export const DELETE = route(operations.signOutEverywhere, async (request) => noContent({}, await signOut(request, { everywhere: true })));
