import { api, errorOf } from "../api.js";
import { $, showStep } from "../dom.js";
import { formError, setupShowPassword, submitForm } from "../forms.js";
import { setupRules } from "../passwords.js";
import { text } from "../texts.js";

setupShowPassword();
const match = /jeton=([A-Za-z0-9_-]+)/.exec(window.location.hash);
// The token leaves the address bar (and so the history and any screenshot) at once.
history.replaceState(null, "", window.location.pathname);
const token = match ? match[1] : "";

function linkError(result) {
  const error = errorOf(result);
  $("[data-link-error]").textContent = error.message;
  if (error.code === "token_used") $("[data-new-link]").setAttribute("href", "mot-de-passe-oublie");
  showStep("link-error");
}

const check = await api("POST", "api/token-checks", { token });
if (check.status !== 200) {
  linkError(check);
} else {
  if (check.data.purpose === "reset") {
    $("h1[data-title]").textContent = text("reset_title");
    $('[data-step="form"]').dataset.title = text("reset_title");
    $("[data-done-message]").textContent = text("reset_done");
  }
  $("[data-masked-email]").textContent = check.data.email;
  const form = $("#password-form");
  const markViolations = await setupRules(form);
  showStep("form");
  submitForm(form, ({ password, password_confirmation }) => api("POST", "api/passwords", { token, password, password_confirmation }),
    () => showStep("done"), {}, (result) => {
      if (result.status === 410) { linkError(result); return true; }
      const error = errorOf(result);
      if (error.violations) markViolations(error.violations);
      formError(form, error.message);
      form.elements.password.focus();
      return true;
    });
}
