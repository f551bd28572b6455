/**
 * The password rules, listed from `GET api/password-policy` and ticked live as the voter
 * types. The labels and the length limits (`min_length`, `max_length`) are the server's; the
 * checks below only mirror `chalicelib/domain/passwords.py` for the live ticks, and the
 * server's answer (`violations`) always has the last word.
 */

import { api } from "./api.js";
import { $, $$, element } from "./dom.js";

const LOCAL_CHECKS = {
  too_short: (p, policy) => [...p].length >= policy.min_length,
  too_long: (p, policy) => [...p].length <= policy.max_length,
  missing_lowercase: (p) => /\p{Ll}/u.test(p),
  missing_uppercase: (p) => /\p{Lu}/u.test(p),
  missing_digit: (p) => /\p{Nd}/u.test(p),
};

/** Fills the form's `[data-rules]` list; returns `markViolations(codes)` for the server's answer. */
export async function setupRules(form) {
  const list = $("[data-rules]", form);
  const result = await api("GET", "api/password-policy");
  const policy = result.data || {};
  for (const rule of policy.rules || []) {
    list.append(element("li", { class: "fr-message fr-message--info", "data-code": rule.code, text: rule.label }));
  }
  const password = form.elements.password;
  const confirmation = form.elements.password_confirmation;
  const update = () => {
    const value = password.value.normalize("NFC");
    for (const item of $$("li", list)) {
      const check = LOCAL_CHECKS[item.dataset.code];
      let ok = null;
      if (check && value) ok = check(value, policy);
      if (item.dataset.code === "confirmation_mismatch" && confirmation.value) ok = value === confirmation.value.normalize("NFC");
      item.classList.toggle("fr-message--valid", ok === true);
      item.classList.toggle("fr-message--error", ok === false);
      item.classList.toggle("fr-message--info", ok === null);
    }
  };
  password.addEventListener("input", update);
  confirmation.addEventListener("input", update);
  return (violations) => {
    for (const item of $$("li", list)) {
      if (violations.includes(item.dataset.code)) {
        item.classList.remove("fr-message--valid", "fr-message--info");
        item.classList.add("fr-message--error");
      }
    }
  };
}
