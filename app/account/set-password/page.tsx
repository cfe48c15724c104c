import { isDeadLink, passwordFailureMessage, PASSWORD_RULES } from "@/lib/auth/password-link";
import { Refusal } from "@/components/ui/refusal";

export const metadata = { title: "Choose your password" };

export const dynamic = "force-dynamic";

/** The form a password link leads to (the link's token waits in a cookie, not in this page). */
export default async function SetPasswordPage({ searchParams }: { searchParams: Promise<{ error?: string; next?: string }> }) {
  const { error: failure, next } = await searchParams;
  const error = passwordFailureMessage(failure);
  if (isDeadLink(failure))
    return (
      <section className="narrow" aria-labelledby="password-heading">
        <h1 id="password-heading">This link no longer works</h1>
        <Refusal message={error} />
      </section>
    );
  return (
    <section className="narrow" aria-labelledby="password-heading">
      <h1 id="password-heading">Choose your password</h1>
      <p className="muted">
        You are signed in as soon as it is set; next time, sign in with your e-mail and this password ({PASSWORD_RULES}).
      </p>
      <form method="post" action="/account/password" className="stack">
        {next && <input type="hidden" name="next" value={next} />}
        <label>
          New password
          <input type="password" name="password" autoComplete="new-password" minLength={12} required />
        </label>
        <label>
          New password again
          <input type="password" name="confirm" autoComplete="new-password" minLength={12} required />
        </label>
        <button type="submit" className="button-primary">
          Set password
        </button>
        <Refusal message={error} />
      </form>
    </section>
  );
}
