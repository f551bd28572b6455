/** The address form of /inscription and /mot-de-passe-oublie: one address, then "check your mailbox". */

import { api } from "./api.js";
import { $, showStep } from "./dom.js";
import { submitForm } from "./forms.js";

export function setupEmailRequest(path) {
  submitForm($("#email-form"), ({ email }) => api("POST", path, { email }), (result) => {
    $("[data-accepted-message]").textContent = result.data.message;
    showStep("sent");
  }, { invalid_email: "email" });
}
