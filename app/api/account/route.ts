// GET /api/account - who is signed in on this request: the bootstrap admin, a person (with their owners), or nobody
import { json, route } from "@/lib/api/respond";
import { viewerOf } from "@/lib/auth/viewer";

export const dynamic = "force-dynamic";

export const GET = route(async (request) => json(await viewerOf(request)));
