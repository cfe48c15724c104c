import { headers } from "next/headers";
import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { AppError } from "../errors";
import { authorize, type Caller } from "./authorize";
import type { Access, Viewer } from "../api/views/auth";
import { SIGN_IN_PAGE } from "./sign-in";
import { viewerOf } from "./viewer";

/** The request a page is rendered for, as route handlers see theirs (its headers: cookies, origin). */
async function pageRequest(): Promise<Request> {
  return new Request("http://page.invalid/", { headers: await headers() });
}

/** Who is looking, looked up once per request however many server components ask (the layout and the page). */
export const pageViewer = cache(async (): Promise<Viewer> => viewerOf(await pageRequest()));

/** A page's query, as Next.js hands it to the page. */
export type PageQuery = Record<string, string | string[] | undefined>;

/**
 * The caller of a page that needs `access`: not signed in, the sign-in page (coming back to `path` with `query`,
 * so that a shared link shows the view it was shared with); signed in without that right, a 404 (a page one may
 * not use does not exist for them).
 */
export async function requirePage(access: Access, path: string, query: PageQuery = {}): Promise<Caller> {
  try {
    return await authorize(await pageRequest(), access);
  } catch (e) {
    if (e instanceof AppError && e.status === 401) redirect(`${SIGN_IN_PAGE}?${new URLSearchParams({ next: withQuery(path, query) })}`);
    if (e instanceof AppError && e.status === 403) notFound();
    throw e;
  }
}

function withQuery(path: string, query: PageQuery): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) for (const v of [value ?? []].flat()) search.append(name, v);
  return search.size ? `${path}?${search}` : path;
}
