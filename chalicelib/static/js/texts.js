/**
 * The French texts the scripts show, read from the pages themselves.
 *
 * Every sentence a voter reads lives with the other texts, where proof-readers look: the
 * API's sentences in `chalicelib/domain/messages.py`, the rest in the HTML. A page (or the
 * layout, for texts shared by every page) carries them in a `<template data-texts>`, one
 * element per text: `<span data-text="key">Page {page} : {count} électeurs</span>`. A
 * template is inert, so nothing of it is shown until a script copies it. `{name}` is
 * filled from `values`. The scripts hold no French text.
 */

export function text(key, values = {}) {
  for (const template of document.querySelectorAll("template[data-texts]")) {
    const found = template.content.querySelector(`[data-text="${key}"]`);
    if (found) return found.textContent.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
  }
  return key;
}
