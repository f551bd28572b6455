import { api, errorOf, myBallots, requireSession } from "../api.js";
import { $, element, hashValue, showStep } from "../dom.js";
import { enableForm } from "../forms.js";
import { text } from "../texts.js";

const NOT_FOUND = 404;

async function start() {
  if (!(await requireSession())) return;
  const ballotId = hashValue();
  // No ballot in the address (`liste-electorale#<ballot>`): say so, and ask nothing of the API.
  if (!ballotId) { showStep("not-found"); return; }
  const errorArea = $("[data-form-error]");
  const fail = (result) => {
    if (result.status === NOT_FOUND) {
      $("[data-not-found-message]").textContent = errorOf(result).message;
      showStep("not-found");
      return;
    }
    errorArea.textContent = errorOf(result).message;
    errorArea.hidden = false;
    errorArea.setAttribute("tabindex", "-1");
    errorArea.focus();
  };
  const ballot = (await myBallots()).find((b) => b.id === ballotId);
  if (ballot) $("[data-ballot-label]").textContent = text("ballot_label", { label: ballot.label });
  let query = "";
  let cursors = [null];
  const rows = $("[data-rows]");
  const status = $("[data-list-status]");
  const next = $("[data-next-page]");
  const first = $("[data-first-page]");
  const load = async () => {
    const params = new URLSearchParams();
    if (query) params.set("q", query);
    const cursor = cursors[cursors.length - 1];
    if (cursor) params.set("cursor", cursor);
    const result = await api("GET", `api/ballots/${encodeURIComponent(ballotId)}/electoral-list?${params}`);
    if (result.status !== 200) { fail(result); return false; }
    errorArea.hidden = true;
    const voters = result.data.voters;
    rows.replaceChildren(...voters.map((v) => element("tr", {},
      element("td", { text: v.last_name }), element("td", { text: v.first_name }), element("td", { text: v.workplace }))));
    const page = cursors.length;
    const filter = query ? text("list_filter", { query }) : "";
    status.textContent = voters.length
      ? text("list_page", { page, count: voters.length, filter })
      : text("list_empty", { filter });
    next.disabled = !result.data.next_cursor;
    next.dataset.cursor = result.data.next_cursor || "";
    first.disabled = page === 1;
    return true;
  };
  next.addEventListener("click", () => { cursors.push(next.dataset.cursor); load(); });
  first.addEventListener("click", () => { cursors = [null]; load(); });
  const search = $("#search-form");
  search.addEventListener("submit", (event) => {
    event.preventDefault();
    query = $("#q").value.trim();
    cursors = [null];
    load();
  });
  enableForm(search);
  if (await load()) showStep("ready");
  else if ($('[data-step="not-found"]').hidden) showStep("failed"); // no such step: only the error above stays
}

start();
