// GET /openapi.json - the app's OpenAPI 3.1 description, generated from its declared operations (lib/api/contract.ts)
import { operations } from "@/lib/api/contract";
import { openApiDocument } from "@/lib/api/openapi";
import { json, route } from "@/lib/api/respond";

export const dynamic = "force-dynamic";

export const GET = route(operations.openapi, async () => json(openApiDocument()));
