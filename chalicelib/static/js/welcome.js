/**
 * « Bravo ! » in the espace right after the first password (the link page sends the voter to
 * `espace#bravo`, signed in). Shown once: the fragment leaves the address at once.
 */

import { $ } from "./dom.js";

export function showWelcome() {
  if (window.location.hash !== "#bravo") return;
  history.replaceState(null, "", window.location.pathname);
  const welcome = $("[data-welcome]");
  if (!welcome) return;
  welcome.hidden = false;
  welcome.setAttribute("tabindex", "-1");
  welcome.focus();
}
