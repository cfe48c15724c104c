// GET /account/password?token= - a password link (invitation or reset): the token goes into a short-lived
// cookie and the browser to the form; POST (form fields password, confirm) - sets the password
import { readForm } from "@/lib/api/body";
import { operations } from "@/lib/api/contract";
import { route } from "@/lib/api/respond";
import { openPasswordLink, setPasswordFromLink } from "@/lib/auth/password-link";

export const dynamic = "force-dynamic";

export const GET = route(operations.passwordLink, (request) => openPasswordLink(request));

export const POST = route(operations.setPassword, async (request) => setPasswordFromLink(request, await readForm(request)));
