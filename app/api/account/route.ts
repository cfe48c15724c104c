// GET /api/account - who is signed in on this request: the bootstrap admin, a person (with their owners), or nobody
import { operations } from "@/lib/api/contract";
import { json, route } from "@/lib/api/respond";
import { viewerOf } from "@/lib/auth/viewer";

export const dynamic = "force-dynamic";

export const GET = route(operations.account, async (request) => json(await viewerOf(request)));
