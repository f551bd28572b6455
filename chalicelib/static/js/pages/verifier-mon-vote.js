/**
 * « Mon vote a-t-il bien été pris en compte ? »: a voter finds their receipt in the published box.
 *
 * The code never leaves the browser. The page asks the portal for a bucket of receipts (all
 * those whose short code starts with the same few characters: about a hundred, from
 * `index.json`'s `receipts.prefix_length`) and looks for the voter's among them here, so the
 * portal cannot tell which ballot is whose (`chalicelib/services/public_record.py`).
 */

import { api, errorOf, succeeded } from "../api.js";
import { $, element } from "../dom.js";
import { submitForm } from "../forms.js";
import { text } from "../texts.js";
import { crockfordBase32 } from "../../booth/ev1.js";

const SHORT = 10;
// Crockford's base32 reads I and L as 1 and O as 0; dashes and spaces are only for the eye.
const normalise = (typed) => typed.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
const hexBytes = (hex) => Uint8Array.from(hex.match(/../g), (pair) => parseInt(pair, 16));
const codeOf = (receiptHex) => crockfordBase32(hexBytes(receiptHex)).slice(0, SHORT);

/** What the voter typed: {code, full} (full: the 64-hex receipt, when typed), or null. */
function parseReceipt(typed) {
  const compact = typed.trim().toLowerCase().replace(/[\s-]/g, "");
  if (/^[0-9a-f]{64}$/.test(compact)) return { code: codeOf(compact), full: compact };
  const code = normalise(typed);
  return /^[0-9A-HJKMNP-TV-Z]{10}$/.test(code) ? { code, full: null } : null;
}

const failure = (status, code, message) => ({ status, data: { error: { code, message } } });

async function publishedRecords() {
  const listed = await api("GET", "api/elections");
  if (!succeeded(listed)) return { error: listed, records: [] };
  const records = [];
  for (const election of listed.data.elections) {
    const index = await api("GET", `api/elections/${election.id}/record/index.json`);
    if (succeeded(index)) records.push({ election, index: index.data });
  }
  return { error: null, records };
}

let known = null;

async function lookUp({ receipt }) {
  const typed = parseReceipt(receipt || "");
  if (!typed) return failure(400, "receipt_malformed", text("receipt_malformed"));
  known = known || (await publishedRecords());
  if (known.error) {
    const { error } = known;
    known = null; // asked again at the next search
    return error;
  }
  if (!known.records.length) return { status: 200, data: { unpublished: true } };
  for (const { election, index } of known.records) {
    const prefix = typed.code.slice(0, index.receipts.prefix_length);
    const bucket = await api("GET", `api/elections/${election.id}/record/receipts/${prefix}`);
    if (!succeeded(bucket)) return failure(bucket.status, errorOf(bucket).code, errorOf(bucket).message);
    const match = bucket.data.receipts.find(([full]) => (typed.full ? full === typed.full : codeOf(full) === typed.code));
    if (match) return { status: 200, data: { election, receipt: match[0], scrutin: match[1] } };
  }
  return failure(404, "receipt_not_found", text("receipt_not_found"));
}

function showFound({ election, receipt, scrutin }) {
  const label = (election.scrutins.find((s) => s.id === scrutin) || { label: scrutin }).label;
  const code = codeOf(receipt);
  $("[data-unpublished]").hidden = true;
  $("[data-found-text]").textContent = text("receipt_found", {
    code: `${code.slice(0, 5)}-${code.slice(5)}`, scrutin: label, election: election.name,
  });
  $('[data-found-field="scrutin"]').textContent = label;
  $('[data-found-field="receipt"]').textContent = receipt;
  const file = $('[data-found-field="file"]');
  file.textContent = `ballots/${scrutin}.jsonl`;
  file.href = `api/elections/${election.id}/record/ballots/${encodeURIComponent(scrutin)}.jsonl`;
  const found = $("[data-found]");
  found.hidden = false;
  found.focus();
}

submitForm($("#receipt-form"), async (values) => {
  $("[data-found]").hidden = true;
  return lookUp(values);
}, (result) => {
  if (result.data.unpublished) { $("[data-unpublished]").hidden = false; return; }
  showFound(result.data);
}, { receipt_malformed: "receipt", receipt_not_found: "receipt" });

(async () => {
  known = await publishedRecords();
  const list = $("[data-records]");
  for (const { election } of known.records) {
    list.append(element("li", {}, element("a", {
      class: "fr-link", href: `api/elections/${election.id}/record/index.json`, text: text("record_link", { name: election.name }),
    })));
  }
  $("[data-no-record]").hidden = known.records.length > 0;
})();
