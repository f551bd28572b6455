/**
 * Forms: the one way a page sends a form to the API and shows the answer (`submitForm`),
 * field and form errors in the DSFR's markup, and the "show the password" boxes.
 */

import { errorOf, succeeded } from "./api.js";
import { $, $$ } from "./dom.js";

export function clearErrors(form) {
  const alert = $("[data-form-error]", form);
  if (alert) { alert.hidden = true; alert.textContent = ""; }
  const success = $("[data-form-success]", form);
  if (success) success.hidden = true;
  for (const group of $$(".fr-input-group--error", form)) group.classList.remove("fr-input-group--error");
  for (const input of $$("[aria-invalid]", form)) { input.removeAttribute("aria-invalid"); input.classList.remove("fr-input--error"); }
  for (const text of $$(".fr-error-text", form)) { text.hidden = true; text.textContent = ""; }
}

export function formError(form, message) {
  const alert = $("[data-form-error]", form);
  alert.textContent = message;
  alert.hidden = false;
}

/** A success message in the form's `[data-form-success]` status box. */
export function formSuccess(form, message) {
  const success = $("[data-form-success]", form);
  success.textContent = message;
  success.hidden = false;
}

function fieldError(form, name, message) {
  const input = form.elements[name];
  const group = $(`[data-group="${name}"]`, form);
  const text = $(`#${name}-error`, form);
  if (!input || !text) { formError(form, message); return; }
  group && group.classList.add("fr-input-group--error");
  input.classList.add("fr-input--error");
  input.setAttribute("aria-invalid", "true");
  text.textContent = message;
  text.hidden = false;
  input.focus();
}

/** The API's error next to its field (named by the error, or by `fieldsByCode`), else above the form. */
export function showError(form, result, fieldsByCode = {}) {
  const error = errorOf(result);
  const field = error.field || fieldsByCode[error.code];
  if (field && form.elements[field]) fieldError(form, field, error.message);
  else formError(form, error.message);
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
 * and it returns true, else the error is shown with `showError(form, result, fieldsByCode)`.
 */
export function submitForm(form, call, onSuccess, fieldsByCode = {}, onError = null) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    const result = await call(formValues(form));
    busy(form, false);
    if (succeeded(result)) await onSuccess(result);
    else if (!(onError && onError(result))) showError(form, result, fieldsByCode);
  });
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
