/**
 * The "check your mailbox" step after asking for a link (connexion, inscription,
 * mot-de-passe-oublie): the address typed, whether it looks professional, the académie's
 * webmail and help, and the hourly budget, all as the API's 202 answer gives them (the same
 * for every address of a domain, listed or not).
 */

import { $, showStep } from "./dom.js";

export function showMailbox(answer) {
  const mailbox = answer.mailbox;
  $("[data-accepted-message]").textContent = answer.message;
  $("[data-sent-to]").textContent = mailbox.email;
  $("[data-not-professional]").hidden = mailbox.professional;
  $("[data-hourly-budget]").textContent = String(mailbox.hourly_budget);
  const academy = mailbox.academy;
  $("[data-academy]").hidden = !academy;
  $("[data-no-academy]").hidden = Boolean(academy);
  if (academy) {
    $("[data-academy-name]").textContent = academy.name;
    $("[data-webmail]").href = academy.webmail;
    $("[data-academy-help]").href = academy.help;
  }
  showStep("sent");
}
