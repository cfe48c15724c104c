import { ReportList } from "@/components/reports/report-list";

export default function HomePage() {
  return <ReportList />;
}
