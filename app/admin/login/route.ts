// GET /admin/login?token=&next= - the sign-in link; POST (form fields email and password, or token; next) -
// the sign-in form;
// GET /admin/login without a token - the sign-in page (/admin/sign-in).
// A route, not a page: a page rendered at an address carries that address in its HTML (Next.js's payload),
// so the link's token would be written into a page. Here the token is exchanged for a session cookie at
// once, and the answer is a 303 with no body: to `next` when it is a page of this site (else `/`), or to the
// sign-in page saying why not.
import { readForm } from "@/lib/api/body";
import { operations } from "@/lib/api/contract";
import { route } from "@/lib/api/respond";
import { SIGN_IN_PAGE, signInAndRedirect } from "@/lib/auth/sign-in";

export const dynamic = "force-dynamic";

export const GET = route(operations.signInLink, async (request, { query: { token, next } }) => {
  if (token !== undefined) return signInAndRedirect(request, { token }, next ?? null);
  return new Response(null, {
    status: 303,
    headers: { Location: next ? `${SIGN_IN_PAGE}?${new URLSearchParams({ next })}` : SIGN_IN_PAGE },
  });
});

export const POST = route(operations.signInForm, async (request) => {
  const form = await readForm(request, ["next"]); // `next` falls back to home when it is not a page of this site
  const email = form.get("email");
  const credentials = email !== null ? { email, password: form.get("password") ?? "" } : { token: form.get("token") ?? "" };
  return signInAndRedirect(request, credentials, form.get("next"));
});
