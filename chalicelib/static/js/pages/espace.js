import { myBallots, requireSession, setupSignOut } from "../api.js";
import { $, $$, element, showStep } from "../dom.js";
import { formatDay, formatWhen } from "../format.js";
import { text } from "../texts.js";
import { showWelcome } from "../welcome.js";

// Badge colours by phase; the labels are the page's texts `phase_<phase>`.
const PHASE_CLASSES = {
  upcoming: "fr-badge--info",
  lists_published: "fr-badge--new",
  claims_closed: "fr-badge--info",
  candidates_published: "fr-badge--info",
  voting_open: "fr-badge--success",
  closed: "",
};
const DATES = ["lists_published_at", "claims_close_at", "candidates_published_at", "voting_opens_at", "voting_closes_at"];

function ballotSection(ballot) {
  const phaseClass = PHASE_CLASSES[ballot.phase] || "";
  const section = element("section", { class: "ee-ballot fr-mb-4w", "aria-labelledby": `ballot-${ballot.id}` });
  section.append(
    element("h3", { id: `ballot-${ballot.id}`, class: "fr-h5", text: ballot.label }),
    element("p", { class: `fr-badge fr-badge--sm ${phaseClass}`, text: text(`phase_${ballot.phase}`) }),
    element("p", { class: "fr-text--sm", text: text("ballot_line", { kind: ballot.kind, level: text(`level_${ballot.level}`), perimeter: ballot.perimeter }) }),
  );
  const dates = element("dl", { class: "ee-dates" });
  for (const key of DATES) dates.append(element("dt", { text: text(key) }), element("dd", { text: formatWhen(ballot[key]) }));
  section.append(dates);
  // When and how the vote is held; while it is open, the « Je vote » callout above leads to the booth.
  const period = { opens: formatWhen(ballot.voting_opens_at), closes: formatWhen(ballot.voting_closes_at) };
  section.append(element("p", { class: "ee-voting", text: text(ballot.phase === "closed" ? "voting_held" : "voting_how", period) }));
  if (ballot.candidate_lists_published) {
    const lists = element("ul", { class: "ee-candidates" });
    for (const list of ballot.candidate_lists) {
      lists.append(element("li", {}, element("strong", { text: `${list.acronym} — ` }), `${list.name} `,
        element("a", { class: "fr-link", href: list.statement_url, target: "_blank", rel: "noopener noreferrer",
          title: text("statement_title", { acronym: list.acronym }), text: text("statement") })));
    }
    section.append(element("h4", { class: "fr-text--md fr-mb-1v", text: text("candidate_lists", { count: ballot.candidate_lists.length }) }), lists);
  } else {
    section.append(element("p", { class: "fr-text--sm", text: text("candidates_later", { date: formatDay(ballot.candidates_published_at) }) }));
  }
  const actions = element("ul", { class: "fr-btns-group fr-btns-group--inline fr-btns-group--sm" });
  if (ballot.lists_visible) {
    actions.append(element("li", {}, element("a", { class: "fr-btn fr-btn--secondary", href: `liste-electorale#${ballot.id}`, text: text("see_list") })));
  }
  if (ballot.claims_open) {
    actions.append(element("li", {}, element("a", { class: "fr-btn fr-btn--tertiary", href: `reclamations#${ballot.id}`, text: text("contest_list") })));
  }
  section.append(actions);
  return section;
}

setupSignOut();
const me = await requireSession();
if (me) {
  for (const node of $$("[data-field]")) {
    const value = me[node.dataset.field];
    node.textContent = node.dataset.field.endsWith("_at") ? formatWhen(value) : value || "—";
  }
  const ballots = await myBallots();
  const area = $("[data-ballots]");
  if (!ballots.length) area.append(element("p", { text: text("no_ballots") }));
  $("[data-voting]").hidden = !ballots.some((ballot) => ballot.phase === "voting_open");
  for (const ballot of ballots) area.append(ballotSection(ballot));
  showStep("ready");
  showWelcome();
}
