/**
 * The sign-in form: a plain form that posts to the server, which sets the session and sends the browser on
 * (or back here with the reason). The token is never put in the page, nor sent anywhere by script.
 */
export function LoginForm({ next, error }: { next?: string; error?: string }) {
  return (
    <section className="narrow" aria-labelledby="login-heading">
      <h1 id="login-heading">Admin sign-in</h1>
      <p className="muted">
        Admins upload new feeds. Sign in with the admin token (the <code>ADMIN_TOKEN</code> setting), or open the sign-in link the server
        printed when it started.
      </p>
      <form method="post" action="/admin/login" className="stack">
        {next && <input type="hidden" name="next" value={next} />}
        <label>
          Admin token
          <input type="password" name="token" autoComplete="current-password" required />
        </label>
        <button type="submit" className="button-primary">
          Sign in
        </button>
        {error && (
          <p className="notice notice-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}
