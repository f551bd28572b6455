/**
 * The password rules, listed from `GET api/password-policy` and ticked live as the voter
 * types. The labels and the length limits (`min_length`, `max_length`) are the server's; the
 * checks below only mirror `chalicelib/domain/passwords.py` for the live ticks, and the
 * server's answer (`violations`) always has the last word.
 *
 * The rules are the DSFR password component's messages (`partials/regles-mot-de-passe.html`):
 * each starts neutral (`fr-message--info`), turns `fr-message--valid` once met, and
 * `fr-message--error` only after a submit; the DSFR reads out its `data-fr-valid` or
 * `data-fr-error` text after the rule, in the group's polite live region. After a submit with
 * a rule broken, the password field is `aria-invalid` (the rules are its description).
 */

import { api } from "./api.js";
import { $, $$, element } from "./dom.js";
import { text } from "./texts.js";

const LOCAL_CHECKS = {
  too_short: (p, policy) => [...p].length >= policy.min_length,
  too_long: (p, policy) => [...p].length <= policy.max_length,
  missing_lowercase: (p) => /\p{Ll}/u.test(p),
  missing_uppercase: (p) => /\p{Lu}/u.test(p),
  missing_digit: (p) => /\p{Nd}/u.test(p),
};

function show(item, state) {
  item.classList.toggle("fr-message--valid", state === "valid");
  item.classList.toggle("fr-message--error", state === "error");
  item.classList.toggle("fr-message--info", state === "info");
}

/** Fills the form's `[data-rules]` list; returns `markViolations(codes)` for the server's answer. */
export async function setupRules(form) {
  const list = $("[data-rules]", form);
  const result = await api("GET", "api/password-policy");
  const policy = result.data || {};
  for (const rule of policy.rules || []) {
    list.append(element("li", {
      class: "fr-message fr-message--info",
      "data-code": rule.code,
      "data-fr-valid": text("rule_valid"),
      "data-fr-error": text("rule_error"),
      text: rule.label,
    }));
  }
  const password = form.elements.password;
  const confirmation = form.elements.password_confirmation;
  let submitted = false;
  let refused = [];
  const update = () => {
    const value = password.value.normalize("NFC");
    let broken = false;
    for (const item of $$("li", list)) {
      const code = item.dataset.code;
      const check = LOCAL_CHECKS[code];
      let ok = null;
      if (check && value) ok = check(value, policy);
      if (code === "confirmation_mismatch" && confirmation.value) ok = value === confirmation.value.normalize("NFC");
      // A rule without a local check (e.g. not the address) keeps the server's word until the next submit.
      if (ok === null && refused.includes(code)) ok = false;
      if (ok === false) broken = true;
      show(item, ok === true ? "valid" : ok === false && submitted ? "error" : "info");
    }
    if (submitted && broken) password.setAttribute("aria-invalid", "true");
    else password.removeAttribute("aria-invalid");
  };
  password.addEventListener("input", update);
  confirmation.addEventListener("input", update);
  form.addEventListener("submit", () => { submitted = true; refused = []; update(); });
  // After a success the page may reset the form: the rules start neutral again.
  form.addEventListener("reset", () => { submitted = false; refused = []; setTimeout(update); });
  return (violations) => {
    submitted = true;
    refused = violations;
    update();
    for (const item of $$("li", list)) if (violations.includes(item.dataset.code)) show(item, "error");
    if (violations.length) password.setAttribute("aria-invalid", "true");
  };
}
