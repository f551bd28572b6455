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

// What follows the page's own title in <title> (" — Espace électeur — …"), from the layout.
const TITLE_SEPARATOR = " — ";
const SITE_TITLE = document.title.includes(TITLE_SEPARATOR)
  ? document.title.slice(document.title.indexOf(TITLE_SEPARATOR))
  : "";

/**
 * Show the `[data-step=name]` block of the page and hide the others; the document's title
 * becomes the step's `data-title` (then the site's name), so that the tab and a screen reader
 * say where the voter is.
 */
export function showStep(name) {
  for (const step of $$("[data-step]")) step.hidden = step.dataset.step !== name;
  const shown = $(`[data-step="${name}"]`);
  if (shown && shown.dataset.title) document.title = `${shown.dataset.title}${SITE_TITLE}`;
  const heading = shown && $("h1", shown);
  if (shown && shown.hasAttribute("tabindex")) shown.focus();
  else if (heading) heading.setAttribute("tabindex", "-1");
}

/** The part of the address after `#`, e.g. a ballot id. */
export const hashValue = () => decodeURIComponent(window.location.hash.replace(/^#/, ""));
