import { ReportList } from "@/components/reports/report-list";

export const metadata = { title: "Reports" };

export default function ReportsPage() {
  return <ReportList />;
}
