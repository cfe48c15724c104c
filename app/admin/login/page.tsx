import { LoginForm } from "@/components/admin/login-form";

export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ token?: string; next?: string }> }) {
  const { token, next } = await searchParams;
  // Only paths on this site: an open redirect would let a link send a signed-in admin anywhere.
  const target = next && next.startsWith("/") && !next.startsWith("//") ? next : "/admin/upload";
  return <LoginForm initialToken={token ?? ""} next={target} />;
}
