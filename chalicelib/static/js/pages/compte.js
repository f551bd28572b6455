import { api, errorOf, requireSession, setupSignOut } from "../api.js";
import { $, showStep } from "../dom.js";
import { formError, formSuccess, setupShowPassword, submitForm } from "../forms.js";
import { setupRules } from "../passwords.js";
import { text } from "../texts.js";

setupShowPassword();
setupSignOut();
if (await requireSession()) {
  const form = $("#change-password-form");
  const markViolations = await setupRules(form);
  submitForm(form, (values) => api("PUT", "api/me/password", values), () => {
    form.reset();
    formSuccess(form, text("password_changed"));
  }, { wrong_current_password: "current_password" }, (result) => {
    // A broken rule is shown in the rules; any other error by submitForm, next to its field.
    const error = errorOf(result);
    if (!error.violations) return false;
    markViolations(error.violations);
    formError(form, error.message);
    return true;
  });
  showStep("ready");
}
