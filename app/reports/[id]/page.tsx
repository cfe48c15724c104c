import { ReportView } from "@/components/reports/report-view";

export const metadata = { title: "Report" };

export default async function ReportPage({ params }: { params: Promise<{ id: string }> }) {
  return <ReportView id={(await params).id} />;
}
