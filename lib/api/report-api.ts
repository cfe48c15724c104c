import { AppError } from "../errors";
import { readJson } from "./body";
import type { ReportStatusResponse } from "./schemas";
import { triggerReportBody } from "./schemas";
import { reportProgress, type ReportStatusFields } from "../reports/read";

/** The body of POST /trigger_report: nothing, or JSON {"as_of": "<ISO 8601>"} (a small body: 413 over a few KB). */
export async function parseTriggerBody(request: Request): Promise<string | undefined> {
  const json = await readJson(request, 'the body must be empty or JSON like {"as_of": "2024-10-14T23:55:18Z"}');
  if (json === undefined) return undefined;
  const parsed = triggerReportBody.safeParse(json);
  if (!parsed.success) throw new AppError("invalid_body", 400, `as_of must be a string: ${parsed.error.issues[0]?.message}`);
  return parsed.data.as_of;
}

export function statusBody(state: ReportStatusFields): ReportStatusResponse {
  switch (state.status) {
    case "Complete":
      return { status: "Complete", download_url: `/get_report_file/${state.id}` };
    case "Failed":
      return { status: "Failed", error: state.error ?? "the report failed" };
    default:
      return { status: "Running", progress: reportProgress(state) };
  }
}
