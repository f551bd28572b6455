/**
 * The one page behind « Je me connecte à mon espace électeur »: the address first, then either
 * the password, or a link to that address (first visit or forgotten password: the mail worker
 * sends whichever fits, and the answer is the same for every address).
 */

import { api, succeeded, takeReturnPage } from "../api.js";
import { $ } from "../dom.js";
import { focusSummary, setupShowPassword, showError, submitForm, clearErrors } from "../forms.js";
import { showMailbox } from "../mailbox.js";

setupShowPassword();
const form = $("#sign-in-form");
const fields = { invalid_email: "email", password_missing: "password" };

submitForm(form, ({ email, password }) => api("POST", "api/sessions", { email, password }),
  () => window.location.assign(takeReturnPage() || "espace"), fields);

$("[data-send-link]").addEventListener("click", async (event) => {
  const button = event.currentTarget;
  clearErrors(form);
  button.disabled = true;
  const result = await api("POST", "api/password-resets", { email: form.elements.email.value });
  button.disabled = false;
  if (succeeded(result)) { showMailbox(result.data); return; }
  showError(form, result, fields);
  focusSummary(form);
});
