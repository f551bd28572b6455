/** The address form of /inscription and /mot-de-passe-oublie: one address, then "check your mailbox". */

import { api } from "./api.js";
import { $ } from "./dom.js";
import { submitForm } from "./forms.js";
import { showMailbox } from "./mailbox.js";

export function setupEmailRequest(path) {
  submitForm($("#email-form"), ({ email }) => api("POST", path, { email }), (result) => showMailbox(result.data),
    { invalid_email: "email" });
}
