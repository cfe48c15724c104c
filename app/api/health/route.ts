// GET /api/health - readiness (kept for existing monitors): 200 when the database answers and is migrated
export { GET, dynamic } from "./ready/route";
