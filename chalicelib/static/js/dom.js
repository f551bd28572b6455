/** Small DOM helpers shared by every page. */

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/** Show the `[data-step=name]` block of the page and hide the others. */
export function showStep(name) {
  for (const step of $$("[data-step]")) step.hidden = step.dataset.step !== name;
  const shown = $(`[data-step="${name}"]`);
  const heading = shown && $("h1", shown);
  if (shown && shown.hasAttribute("tabindex")) shown.focus();
  else if (heading) heading.setAttribute("tabindex", "-1");
}

/** The part of the address after `#`, e.g. a ballot id. */
export const hashValue = () => decodeURIComponent(window.location.hash.replace(/^#/, ""));
