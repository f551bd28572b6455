import { api, errorOf, myBallots, requireSession } from "../api.js";
import { $, element, hashValue, showStep } from "../dom.js";
import { text } from "../texts.js";

async function start() {
  if (!(await requireSession())) return;
  const ballotId = hashValue();
  const errorArea = $("[data-form-error]");
  const fail = (result) => { errorArea.textContent = errorOf(result).message; errorArea.hidden = false; };
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
  $("#search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    query = $("#q").value.trim();
    cursors = [null];
    load();
  });
  if (await load()) showStep("ready");
}

start();
