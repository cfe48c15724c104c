import { z } from "zod";

// Request and response shapes shared by the route handlers and the dashboard.

export const triggerReportBody = z.object({ as_of: z.string().optional() });

export const reportStatusResponse = z.discriminatedUnion("status", [
  z.object({ status: z.literal("Running"), progress: z.number().min(0).max(1) }),
  z.object({ status: z.literal("Complete"), download_url: z.string() }),
  z.object({ status: z.literal("Failed"), error: z.string() }),
]);
export type ReportStatusResponse = z.infer<typeof reportStatusResponse>;
