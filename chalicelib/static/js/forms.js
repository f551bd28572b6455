/**
 * Forms: the one way a page sends a form to the API and shows the answer (`submitForm`),
 * field and form errors in the DSFR's markup, and the "show the password" boxes.
 *
 * Every form is `method="post"` and `inert` in the HTML: without its module (JavaScript off,
 * or the module failed to load) it cannot be filled nor sent, and even a browser that ignores
 * `inert` would post it to the page, never put its fields in an address. `enableForm` (called
 * by `submitForm`) makes it usable once its submit handler is in place.
 *
 * After a failed submit the form's error summary (`[data-form-error]`) says what is wrong,
 * each field in error is marked (`aria-invalid`, its error line tied by `aria-describedby`),
 * and the focus moves to the summary, so that a screen reader starts there.
 */

import { errorOf, succeeded } from "./api.js";
import { $, $$, element } from "./dom.js";

/** The form can be filled and sent (it is `inert` until its module takes it over). */
export function enableForm(form) {
  form.inert = false;
  form.removeAttribute("inert");
}

function summaryOf(form) {
  const alert = $("[data-form-error]", form);
  if (alert) alert.setAttribute("tabindex", "-1");
  return alert;
}

export function clearErrors(form) {
  const alert = summaryOf(form);
  if (alert) { alert.hidden = true; alert.replaceChildren(); }
  const success = $("[data-form-success]", form);
  if (success) success.hidden = true;
  for (const group of $$(".fr-input-group--error, .fr-select-group--error", form)) {
    group.classList.remove("fr-input-group--error", "fr-select-group--error");
  }
  for (const input of $$("[aria-invalid]", form)) {
    input.removeAttribute("aria-invalid");
    input.classList.remove("fr-input--error", "fr-select--error");
  }
  for (const text of $$(".fr-error-text", form)) { text.hidden = true; text.textContent = ""; }
}

/** The error summary above the form: a sentence, and optionally one line per field in error. */
export function formError(form, message, lines = []) {
  const alert = summaryOf(form);
  alert.replaceChildren(element("p", { text: message }));
  if (lines.length) alert.append(element("ul", {}, ...lines.map((line) => element("li", { text: line }))));
  alert.hidden = false;
}

/** Moves the focus to the error summary when it shows something (after a failed submit). */
export function focusSummary(form) {
  const alert = summaryOf(form);
  if (alert && !alert.hidden) alert.focus();
}

/** A success message in the form's `[data-form-success]` status box. */
export function formSuccess(form, message) {
  const success = $("[data-form-success]", form);
  success.textContent = message;
  success.hidden = false;
}

/** The field's visible label, without its hint (for the summary's lines). */
export function labelOf(form, name) {
  const input = form.elements[name];
  const label = input && input.id && $(`label[for="${input.id}"]`, form);
  if (!label) return name;
  const own = [...label.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent).join("");
  return own.trim() || label.textContent.trim();
}

/** Marks one field in error, its message on its error line; false when the form has no such field. */
export function fieldError(form, name, message) {
  const input = form.elements[name];
  if (!input || !input.id) return false;
  const group = $(`[data-group="${name}"]`, form) || input.closest(".fr-input-group, .fr-select-group");
  let text = $(`#${input.id}-error`, form);
  if (!text && group) {
    text = element("p", { class: "fr-error-text", id: `${input.id}-error` });
    group.append(text);
  }
  if (group) group.classList.add(group.classList.contains("fr-select-group") ? "fr-select-group--error" : "fr-input-group--error");
  input.classList.add(input.tagName === "SELECT" ? "fr-select--error" : "fr-input--error");
  input.setAttribute("aria-invalid", "true");
  if (text) {
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!described.includes(text.id)) input.setAttribute("aria-describedby", [...described, text.id].join(" "));
    text.textContent = message;
    text.hidden = false;
  }
  return true;
}

/**
 * The API's error in the form: every field it names (`fields`, a list of {field, code, message},
 * or one `field`, or the field `fieldsByCode` gives for its code) is marked, and the summary
 * says the error's message with one line per field, "label : message".
 */
export function showError(form, result, fieldsByCode = {}) {
  const error = errorOf(result);
  const problems = Array.isArray(error.fields)
    ? error.fields
    : [{ field: error.field || fieldsByCode[error.code], message: error.message }];
  const lines = [];
  for (const problem of problems) {
    if (problem.field && fieldError(form, problem.field, problem.message) && problems.length > 1) {
      lines.push(`${labelOf(form, problem.field)} : ${problem.message}`);
    }
  }
  formError(form, error.message, lines);
}

function busy(form, on) {
  for (const button of $$("button[type=submit]", form)) button.disabled = on;
}

export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/**
 * On submit: clear the previous messages, disable the buttons, `call(values)` (an `api()`
 * promise), then `onSuccess(result)` on a 2xx answer; otherwise `onError(result)` if given
 * and it returns true, else the error is shown with `showError(form, result, fieldsByCode)`;
 * after a failure the focus goes to the error summary. The form is enabled here.
 */
export function submitForm(form, call, onSuccess, fieldsByCode = {}, onError = null) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    const result = await call(formValues(form));
    busy(form, false);
    if (succeeded(result)) { await onSuccess(result); return; }
    if (!(onError && onError(result))) showError(form, result, fieldsByCode);
    focusSummary(form);
  });
  enableForm(form);
}

/** Boxes `data-show="id id…"` switch those password fields to plain text and back. */
export function setupShowPassword() {
  for (const box of $$("[data-show]")) {
    box.addEventListener("change", () => {
      for (const id of box.dataset.show.split(" ")) {
        const input = document.getElementById(id);
        if (input) input.type = box.checked ? "text" : "password";
      }
    });
  }
}
