import { StoreView } from "@/components/stores/store-view";

export const metadata = { title: "Store" };

export default async function StorePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<{ report?: string }>;
}) {
  const [{ id }, { report }] = await Promise.all([params, searchParams]);
  return <StoreView storeId={decodeURIComponent(id)} reportId={report} />;
}
