import { ReportView } from "@/components/reports/report-view";
import { requirePage, type PageQuery } from "@/lib/auth/page-access";

export const metadata = { title: "Report" };

export default async function ReportPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<PageQuery> }) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  await requirePage("reports", `/reports/${encodeURIComponent(id)}`, query);
  return <ReportView id={id} />;
}
