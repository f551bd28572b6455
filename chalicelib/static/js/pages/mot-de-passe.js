/**
 * The page an emailed link opens (`mot-de-passe#jeton=…`): check the link, choose the password.
 *
 * The token leaves the address bar at once (history, screenshots) and is kept in this tab's
 * sessionStorage, so that reloading the page keeps a valid link valid; opening another link
 * in the same tab takes the new one. A first password signs the voter in and opens the espace
 * on « Bravo ! »; a reset signs nobody in. An expired link offers a new one in one tap.
 */

import { api, errorOf, succeeded } from "../api.js";
import { $, showStep } from "../dom.js";
import { formError, setupShowPassword, submitForm } from "../forms.js";
import { setupRules } from "../passwords.js";
import { text } from "../texts.js";

const TOKEN_KEY = "link_token";

function tokenFromAddress() {
  const match = /jeton=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match) sessionStorage.setItem(TOKEN_KEY, match[1]);
  history.replaceState(null, "", window.location.pathname);
  return sessionStorage.getItem(TOKEN_KEY) || "";
}

// A second link pasted into this tab changes only the fragment: take it, start again.
window.addEventListener("hashchange", () => {
  if (/jeton=/.test(window.location.hash)) { tokenFromAddress(); window.location.reload(); }
});

setupShowPassword();
const token = tokenFromAddress();

function offerRenewal(error) {
  const button = $("[data-renew-button]");
  button.textContent = text("renew_button", { masked_email: error.masked_email });
  $("[data-renew]").hidden = false;
  $("[data-new-link-paragraph]").hidden = true;
  button.addEventListener("click", async () => {
    button.disabled = true;
    const result = await api("POST", "api/link-renewals", { token });
    const answer = succeeded(result) ? result.data : errorOf(result);
    $("[data-renewed-message]").textContent = answer.message;
    $("[data-renewed]").hidden = false;
    if (succeeded(result)) { sessionStorage.removeItem(TOKEN_KEY); button.hidden = true; } else button.disabled = false;
  }, { once: false });
}

function linkError(result) {
  const error = errorOf(result);
  $("[data-link-error]").textContent = error.message;
  if (error.code === "token_expired" && error.masked_email) offerRenewal(error);
  showStep("link-error");
}

const check = await api("POST", "api/token-checks", { token });
if (check.status !== 200) {
  linkError(check);
} else {
  if (check.data.purpose === "reset") {
    $("h1[data-heading]").textContent = text("reset_title");
    $('[data-step="form"]').dataset.title = text("reset_title");
    $("[data-done-message]").textContent = text("reset_done");
  }
  $("[data-masked-email]").textContent = check.data.email;
  const form = $("#password-form");
  const markViolations = await setupRules(form);
  showStep("form");
  submitForm(form, ({ password, password_confirmation }) => api("POST", "api/passwords", { token, password, password_confirmation }),
    (result) => {
      sessionStorage.removeItem(TOKEN_KEY);
      if (result.data && result.data.signed_in) window.location.assign("espace#bravo");
      else showStep("done");
    }, {}, (result) => {
      if (result.status === 410) { linkError(result); return true; }
      const error = errorOf(result);
      if (error.violations) markViolations(error.violations);
      formError(form, error.message);
      return true;
    });
}
