/**
 * The JSON API, called relative to `<base href>` so the portal works under any path prefix.
 * Results are `{status, data, headers}`; a network failure is status 0 with an error in the
 * API's shape, so pages handle it like any other error.
 */

import { $$ } from "./dom.js";
import { text } from "./texts.js";

export async function api(method, path, body) {
  const options = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(new URL(path, document.baseURI), options);
  } catch {
    return { status: 0, data: { error: { code: "network", message: text("network_error") } }, headers: new Headers() };
  }
  let data = null;
  if (response.status !== 204) {
    try { data = await response.json(); } catch { data = null; }
  }
  return { status: response.status, data, headers: response.headers };
}

export const succeeded = (result) => result.status >= 200 && result.status < 300;

export function errorOf(result) {
  return (result.data && result.data.error) || { code: "unknown", message: text("network_error") };
}

// The page a signed-out voter asked for, kept in this tab only, to go back to after sign-in.
const RETURN_KEY = "return_page";
// A page of this portal, relative to <base href>: a slug, then an optional query and fragment.
const PORTAL_PAGE = /^[a-z][a-z-]*(\?[^#]*)?(#.*)?$/;

/** The current page relative to <base href>, as a sign-in can return to it. */
function currentPage() {
  const here = window.location.href;
  return here.startsWith(document.baseURI) ? here.slice(document.baseURI.length) : "";
}

/** The page to return to after signing in (and forget it), or "" when there is none. */
export function takeReturnPage() {
  const page = sessionStorage.getItem(RETURN_KEY) || "";
  sessionStorage.removeItem(RETURN_KEY);
  return PORTAL_PAGE.test(page) && !page.startsWith("connexion") ? page : "";
}

/** The signed-in voter's profile, or null (and off to the sign-in page, to come back here, when signed out). */
export async function requireSession() {
  const me = await api("GET", "api/me");
  if (me.status === 401) {
    const page = currentPage();
    if (PORTAL_PAGE.test(page)) sessionStorage.setItem(RETURN_KEY, page);
    window.location.assign("connexion");
    return null;
  }
  return me.status === 200 ? me.data : null;
}

/**
 * The voter's ballots (`GET api/me/ballots`), as the server describes them: dates, phase and
 * the rights that follow from it (`lists_visible`, `claims_open`, `candidate_lists_published`),
 * which the pages use as given and never work out again from the phase.
 */
export async function myBallots() {
  const result = await api("GET", "api/me/ballots");
  return (result.data && result.data.ballots) || [];
}

async function signOut(everywhere) {
  await api("DELETE", everywhere ? "api/sessions" : "api/sessions/current");
  window.location.assign("connexion");
}

export function setupSignOut() {
  for (const button of $$("[data-sign-out]")) button.addEventListener("click", () => signOut(false));
  for (const button of $$("[data-sign-out-everywhere]")) button.addEventListener("click", () => signOut(true));
}
