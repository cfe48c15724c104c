// GET /get_report?report_id=<id> - status of a report, or (Accept: text/csv or ?format=csv) its CSV
import { getReport } from "@/lib/api/get-report";

export const dynamic = "force-dynamic";

export const GET = getReport;
