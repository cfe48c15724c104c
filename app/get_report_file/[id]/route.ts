// GET /get_report_file/<id> - the CSV of a complete report, streamed from the database
import { getReportFile } from "@/lib/reports/api";

export const dynamic = "force-dynamic";

export const GET = getReportFile;
