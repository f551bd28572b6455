/**
 * The booth (« Je vote »): the voter code once per session (or, lost, a new one for the roll's
 * birth date, shown once here and typed in for the voter), the voter's scrutins, then per
 * scrutin a choice, a review that says the vote is final, the ballot encrypted here with the
 * sealed election's key (booth/ev1.js, EV1 of VOTING.md) and sent, and the receipt.
 *
 * Before encrypting, the page downloads election.json and checks that its SHA-256 is the
 * fingerprint φ of the sealed election and that its options are the lists shown. The receipt
 * is computed here from the ballot sent, compared with the server's, and kept only in this tab
 * (sessionStorage, so a reload shows it again); the PDF is made here too (js/pdf.js).
 */

import { api, errorOf, requireSession, succeeded } from "../api.js";
import { $, $$, element, showStep } from "../dom.js";
import { formatWhen } from "../format.js";
import { clearErrors, enableForm, formError, focusSummary, submitForm } from "../forms.js";
import { simplePdf } from "../pdf.js";
import { text } from "../texts.js";
import { electionFingerprint, encryptBallot, receipt, shortReceipt } from "../../booth/ev1.js";

const BADGES = { to_vote: "fr-badge--success", voted: "fr-badge--info", not_open: "", closed: "" };
const RECEIPTS_KEY = "receipts";
let scrutins = [];
let current = null; // { scrutin, election, choice }

const keptReceipts = () => JSON.parse(sessionStorage.getItem(RECEIPTS_KEY) || "{}");

function keepReceipt(shown) {
  const kept = keptReceipts();
  kept[shown.scrutinId] = shown;
  sessionStorage.setItem(RECEIPTS_KEY, JSON.stringify(kept));
}

function fail(message) {
  $("[data-failed]").textContent = message;
  showStep("failed");
}

function stateLine(scrutin) {
  if (scrutin.state === "voted") return text("voted_on", { when: formatWhen(scrutin.voted_at) });
  if (scrutin.state === "not_open") return text("opens_on", { when: formatWhen(scrutin.voting_opens_at) });
  if (scrutin.state === "closed") return text("closed_on", { when: formatWhen(scrutin.voting_closes_at) });
  return text("open_until", { when: formatWhen(scrutin.voting_closes_at) });
}

function showList() {
  const area = $("[data-list]");
  area.replaceChildren();
  if (!scrutins.length) area.append(element("p", { text: text("no_scrutins") }));
  const kept = keptReceipts();
  for (const scrutin of scrutins) {
    const section = element("section", { class: "ee-ballot fr-mb-4w", "aria-labelledby": `scrutin-${scrutin.id}` });
    section.append(
      element("h2", { id: `scrutin-${scrutin.id}`, class: "fr-h5 fr-mb-1w", text: scrutin.label }),
      element("p", { class: `fr-badge fr-badge--sm ${BADGES[scrutin.state] || ""}`, text: text(`state_${scrutin.state}`) }),
      element("p", { class: "fr-text--sm fr-mb-1w", text: text("ballot_line", { kind: scrutin.kind, perimeter: scrutin.perimeter }) }),
      element("p", { text: stateLine(scrutin) }),
    );
    if (scrutin.state === "to_vote") {
      const button = element("button", { class: "fr-btn", type: "button", text: text("vote_now") });
      button.addEventListener("click", () => startVote(scrutin));
      section.append(button);
    } else if (scrutin.state === "voted" && kept[scrutin.id]) {
      const button = element("button", { class: "fr-btn fr-btn--secondary", type: "button", text: text("see_receipt") });
      button.addEventListener("click", () => showReceipt(kept[scrutin.id]));
      section.append(button);
    }
    area.append(section);
  }
  showStep("list");
}

async function loadList() {
  const result = await api("GET", "api/me/votes");
  if (!succeeded(result)) { fail(errorOf(result).message); return null; }
  scrutins = result.data.scrutins;
  return result.data;
}

/** election.json as downloaded, checked against the sealed fingerprint and the lists shown. */
async function sealedElection(scrutin) {
  let bytes;
  try {
    const response = await fetch(new URL(`api/elections/${scrutin.election.id}/election.json`, document.baseURI));
    if (!response.ok) throw new Error(String(response.status));
    bytes = await response.arrayBuffer();
  } catch {
    return null;
  }
  if (electionFingerprint(bytes) !== scrutin.election.fingerprint) return null;
  const document_ = JSON.parse(new TextDecoder().decode(bytes));
  const entry = (document_.scrutins || []).find((s) => s.id === scrutin.id);
  if (!entry || JSON.stringify(entry.options) !== JSON.stringify(scrutin.options)) return null;
  return { publicKey: document_.public_key, phi: scrutin.election.fingerprint, options: entry.options };
}

function optionLabel(scrutin, id) {
  if (id === "blank") return text("blank");
  const list = scrutin.candidate_lists.find((l) => l.id === id);
  return list ? `${list.acronym} — ${list.name}` : id;
}

function renderOptions(scrutin, options) {
  const area = $("[data-options]");
  area.replaceChildren();
  options.forEach((id, index) => {
    const inputId = `option-${index}`;
    const group = element("div", { class: "fr-fieldset__element" });
    const radio = element("div", { class: "fr-radio-group fr-radio-rich" });
    const input = element("input", { type: "radio", id: inputId, name: "choice", value: String(index) });
    const label = element("label", { class: "fr-label", for: inputId, text: optionLabel(scrutin, id) });
    if (id === "blank") label.append(element("span", { class: "fr-hint-text", text: text("blank_hint") }));
    radio.append(input, label);
    group.append(radio);
    const list = scrutin.candidate_lists.find((l) => l.id === id);
    if (list) {
      group.append(element("a", { class: "fr-link fr-text--sm ee-option-statement", href: list.statement_url, target: "_blank",
        rel: "noopener noreferrer", title: text("statement_title", { acronym: list.acronym }), text: text("statement") }));
    }
    area.append(group);
  });
}

async function startVote(scrutin) {
  const election = await sealedElection(scrutin);
  if (!election) { fail(text("election_mismatch")); return; }
  current = { scrutin, election, choice: null };
  $("[data-choice-title]").textContent = scrutin.label;
  $("[data-choice-line]").textContent = stateLine(scrutin);
  renderOptions(scrutin, election.options);
  clearErrors($("#choice-form"));
  showStep("choice");
}

function review() {
  const { scrutin, election, choice } = current;
  $("[data-review-scrutin]").textContent = text("review_scrutin", { label: scrutin.label });
  $("[data-review-choice]").textContent = optionLabel(scrutin, election.options[choice]);
  $("[data-cast-error]").hidden = true;
  showStep("review");
}

// Ballots sent whose answer never came back (the network, a timeout), kept in this tab per
// scrutin before they leave: a retry sends the very same ballot, and when the server says the
// vote is already recorded with this ballot (409, this_ballot) the page shows the receipt it
// computed. Each holds the ciphertexts and the choice's index, never the randomness.
const PENDING_KEY = "pending_ballots";
const pendingAll = () => JSON.parse(sessionStorage.getItem(PENDING_KEY) || "{}");
const pendingOf = (id) => pendingAll()[id] || [];

function setPending(id, list) {
  const all = pendingAll();
  if (list.length) all[id] = list; else delete all[id];
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(all));
}

const post = (scrutin, ballot) => api("POST", `api/ballots/${encodeURIComponent(scrutin.id)}/votes`, { ballot });
const isThisBallot = (result) => result.status === 409 && errorOf(result).this_ballot === true;
// No answer, or a gateway's: the ballot may or may not be in the box.
const unconfirmed = (result) => result.status === 0 || result.status === 502 || result.status === 504;

async function cast() {
  const { scrutin, election, choice } = current;
  const button = $("[data-cast]");
  button.disabled = true;
  $("[data-sending]").hidden = false;
  let pending = pendingOf(scrutin.id).filter((p) => p.phi === election.phi);
  let sent = pending.find((p) => p.choice === choice);
  if (!sent) {
    const ballot = encryptBallot({ publicKey: election.publicKey, phi: election.phi, scrutin: scrutin.id,
      options: election.options.length, choice });
    sent = { choice, ballot, receipt: receipt(ballot), phi: election.phi };
    pending = [...pending, sent];
    setPending(scrutin.id, pending);
  }
  let result = await post(scrutin, sent.ballot);
  if (result.status === 409 && !isThisBallot(result)) {
    // Recorded already: perhaps by an earlier try from this tab, for another choice, whose
    // answer was lost. Its ballot, sent again, says so (and writes nothing).
    for (const earlier of pending.filter((p) => p !== sent)) {
      const again = await post(scrutin, earlier.ballot);
      if (isThisBallot(again)) { sent = earlier; result = again; break; }
    }
  }
  button.disabled = false;
  $("[data-sending]").hidden = true;
  if (succeeded(result) || isThisBallot(result)) {
    setPending(scrutin.id, []);
    await loadList();
    const listed = scrutins.find((s) => s.id === scrutin.id);
    const shown = { scrutinId: scrutin.id, scrutin: scrutin.label, full: sent.receipt, short: shortReceipt(sent.receipt),
      election: election.phi, voted_at: succeeded(result) ? result.data.voted_at : listed && listed.voted_at,
      server: succeeded(result) ? result.data.receipt : sent.receipt,
      earlier: sent.choice !== choice ? optionLabel(scrutin, election.options[sent.choice]) : null };
    keepReceipt(shown);
    current = null;
    showReceipt(shown);
    return;
  }
  if (!unconfirmed(result)) setPending(scrutin.id, []); // refused: nothing was written
  const error = errorOf(result);
  if (error.code === "already_voted" || error.code === "voting_closed") { await loadList(); }
  const alert = $("[data-cast-error]");
  alert.textContent = unconfirmed(result) ? text("cast_unconfirmed") : error.message;
  alert.hidden = false;
  alert.focus?.();
}

function receiptPdf(shown) {
  const lines = [
    { text: text("pdf_heading"), size: 16, bold: true },
    { text: text("pdf_scrutin", { label: shown.scrutin }), gapBefore: 12 },
    { text: text("pdf_when", { when: formatWhen(shown.voted_at) }) },
    { text: text("pdf_short", { code: shown.short }), size: 14, bold: true, gapBefore: 12 },
    { text: text("pdf_full"), gapBefore: 8 },
    { text: shown.full, mono: true, size: 9 },
    { text: text("pdf_election"), gapBefore: 8 },
    { text: shown.election, mono: true, size: 9 },
    { text: text("pdf_final"), gapBefore: 16 },
  ];
  return simplePdf([lines], { title: text("pdf_title") });
}

function showReceipt(shown) {
  const values = { scrutin: shown.scrutin, voted_at: formatWhen(shown.voted_at), short: shown.short, full: shown.full,
    election: shown.election };
  for (const node of $$("[data-receipt]")) node.textContent = values[node.dataset.receipt];
  const earlier = $("[data-receipt-earlier]");
  earlier.hidden = !shown.earlier;
  earlier.textContent = shown.earlier ? text("receipt_earlier", { choice: shown.earlier }) : "";
  const mismatch = $("[data-receipt-mismatch]");
  mismatch.hidden = shown.server === shown.full;
  mismatch.textContent = mismatch.hidden ? "" : text("receipt_mismatch", { server: shown.server });
  const link = $("[data-receipt-pdf]");
  if (link.href.startsWith("blob:")) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([receiptPdf(shown)], { type: "application/pdf" }));
  link.download = `accuse-de-reception-${shown.scrutinId}.pdf`;
  showStep("receipt");
}

const me = await requireSession();
if (me) {
  const choiceForm = $("#choice-form");
  choiceForm.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(choiceForm);
    const picked = choiceForm.elements.choice && [...choiceForm.elements.choice].find((r) => r.checked);
    if (!picked) { formError(choiceForm, text("choose_one")); focusSummary(choiceForm); return; }
    current.choice = Number(picked.value);
    review();
  });
  enableForm(choiceForm);
  $("[data-cast]").addEventListener("click", cast);
  $("[data-change]").addEventListener("click", () => showStep("choice"));
  for (const button of $$("[data-back-to-list]")) button.addEventListener("click", showList);
  submitForm($("#code-form"), ({ code }) => api("POST", "api/me/voter-code", { code }), async () => {
    if (await loadList()) showList();
  }, { invalid_voter_code: "code" });
  let newCode = "";
  submitForm($("#reissue-form"), ({ birth_date }) => api("POST", "api/me/voter-code/reissue", { birth_date }), (result) => {
    newCode = result.data.code;
    $("[data-new-code]").textContent = newCode;
    $("[data-copied]").textContent = "";
    $("#reissue-form").reset();
    showStep("new-code");
  }, { wrong_birth_date: "birth_date" });
  $("[data-copy-new-code]").addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(newCode);
      $("[data-copied]").textContent = text("code_copied");
    } catch {
      $("[data-copied]").textContent = text("copy_failed");
    }
  });
  $("[data-use-new-code]").addEventListener("click", () => {
    const form = $("#code-form");
    form.elements.code.value = newCode;
    newCode = "";
    $("[data-new-code]").textContent = "";
    form.requestSubmit();
  });
  const listing = await loadList();
  if (listing) {
    for (const block of $$("[data-reissue]")) block.hidden = block.dataset.reissue !== listing.code_reissue;
    if (listing.code_verified) showList();
    else showStep("code");
  }
}
