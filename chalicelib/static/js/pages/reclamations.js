import { api, myBallots, requireSession } from "../api.js";
import { $, element, hashValue, showStep } from "../dom.js";
import { formatWhen } from "../format.js";
import { formSuccess, submitForm } from "../forms.js";
import { text } from "../texts.js";

function claimArticle(claim, labels) {
  const answered = claim.status === "answered";
  return element("article", { class: "ee-claim fr-mb-3w" },
    element("h3", { class: "fr-h6 fr-mb-1v", text: `${claim.reference} — ${labels[claim.ballot_id] || claim.ballot_id}` }),
    element("p", { class: `fr-badge fr-badge--sm ${answered ? "fr-badge--success" : "fr-badge--info"}`,
      text: text(answered ? "claim_answered" : "claim_open") }),
    element("p", { class: "fr-text--sm fr-mb-1v", text: text("claim_sent", { date: formatWhen(claim.created_at) }) }),
    element("p", { class: "ee-message", text: claim.message }),
    claim.answer ? element("div", { class: "fr-callout fr-callout--sm" },
      element("p", { class: "fr-callout__text", text: text("claim_answer", { date: formatWhen(claim.answered_at), answer: claim.answer }) })) : null);
}

async function start() {
  if (!(await requireSession())) return;
  const form = $("#claim-form");
  const ballots = await myBallots();
  const open = ballots.filter((b) => b.claims_open);
  const select = form.elements.ballot;
  for (const ballot of open) select.append(element("option", { value: ballot.id, text: ballot.label }));
  const wanted = hashValue();
  if (open.some((b) => b.id === wanted)) select.value = wanted;
  if (!open.length) { $("[data-claim-form-area]").hidden = true; $("[data-no-claims-open]").hidden = false; }
  const labels = Object.fromEntries(ballots.map((b) => [b.id, b.label]));
  const showClaims = async () => {
    const result = await api("GET", "api/me/claims");
    const claims = (result.data && result.data.claims) || [];
    const area = $("[data-claims]");
    if (!claims.length) { area.replaceChildren(element("p", { text: text("no_claims") })); return; }
    area.replaceChildren(...claims.map((claim) => claimArticle(claim, labels)));
  };
  submitForm(form, ({ ballot, message }) => api("POST", `api/ballots/${encodeURIComponent(ballot)}/claims`, { message }),
    async (result) => {
      formSuccess(form, text("claim_recorded", { reference: result.data.reference }));
      form.elements.message.value = "";
      await showClaims();
    }, { invalid_message: "message" });
  await showClaims();
  showStep("ready");
}

start();
