// GET /get_report?report_id=<id> - status of a report, or (Accept: text/csv or ?format=csv) its CSV
import { getReport } from "@/lib/reports/api";

export const dynamic = "force-dynamic";

export const GET = getReport;
