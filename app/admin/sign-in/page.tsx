import { LoginForm } from "@/components/admin/login-form";
import type { SignInFailure } from "@/lib/auth/sign-in";

export const metadata = { title: "Sign in" };

export const dynamic = "force-dynamic";

type Params = Record<"next" | "error" | "retry" | "notice", string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

function failureMessage(error: string | undefined, retry: string | undefined): string | undefined {
  const reasons: Record<SignInFailure, string> = {
    wrong_token: "That is not the admin token (a sign-in link works only while the server that printed it runs).",
    wrong_password: "Wrong e-mail or password.",
    too_many: `Too many failed sign-ins. Try again in ${Math.ceil(Number(retry) / 60) || 15} minutes.`,
  };
  return error && error in reasons ? reasons[error as SignInFailure] : undefined;
}

/** The sign-in form. It posts to /admin/login, which answers the sign-in link too. */
export default async function SignInPage({ searchParams }: { searchParams: Promise<Params> }) {
  const params = await searchParams;
  const notice = first(params.notice) === "password_set" ? "Your password is set. Sign in with it." : undefined;
  const next = first(params.next);
  return (
    <LoginForm next={next} heading={headingFor(next)} error={failureMessage(first(params.error), first(params.retry))} notice={notice} />
  );
}

/** The page's title, from where the sign-in goes next: a shared link says what it shows. */
function headingFor(next: string | undefined): string {
  const path = next?.split("?")[0] ?? "";
  if (/^\/reports\/[^/]+$/.test(path)) return "Sign in to see this report";
  if (/^\/stores\/[^/]+$/.test(path)) return "Sign in to see this store";
  if (path === "/reports") return "Sign in to see the reports";
  return "Sign in";
}
