import { StoreView } from "@/components/stores/store-view";
import { requirePage, type PageQuery } from "@/lib/auth/page-access";

export const metadata = { title: "Store" };

export default async function StorePage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<PageQuery> }) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  await requirePage("reports", `/stores/${id}`, query);
  const report = [query.report].flat()[0];
  return <StoreView storeId={decodeURIComponent(id)} reportId={report} />;
}
