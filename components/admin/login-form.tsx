import { Refusal } from "@/components/ui/refusal";
import { TokenFromLink } from "./token-link";

/**
 * The sign-in forms: plain forms that post to the server, which sets the session and sends the browser on
 * (or back here with the reason). Nothing typed here is put in the page or sent anywhere by script.
 */
export function LoginForm({
  next,
  heading = "Sign in",
  error,
  notice,
}: {
  next?: string;
  heading?: string;
  error?: string;
  notice?: string;
}) {
  return (
    <section className="narrow" aria-labelledby="login-heading">
      <TokenFromLink next={next} />
      <h1 id="login-heading">{heading}</h1>
      <p className="muted">Owners see their own stores&apos; reports; admins see every store and upload feeds.</p>
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <form method="post" action="/admin/login" className="stack">
        {next && <input type="hidden" name="next" value={next} />}
        <label>
          E-mail
          <input type="email" name="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required />
        </label>
        <button type="submit" className="button-primary">
          Sign in
        </button>
        <Refusal message={error} />
      </form>
      <details className="stack">
        <summary>Sign in with the admin token</summary>
        <p className="muted">
          The first admin signs in with the admin token (the <code>ADMIN_TOKEN</code> setting), or opens the sign-in link the server printed
          when it started, then invites people.
        </p>
        <form method="post" action="/admin/login" className="stack">
          {next && <input type="hidden" name="next" value={next} />}
          <label>
            Admin token
            <input type="password" name="token" autoComplete="off" required />
          </label>
          <button type="submit">Sign in as admin</button>
        </form>
      </details>
    </section>
  );
}
