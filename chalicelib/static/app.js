// Espace électeur: the pages' behaviour, in plain JavaScript (no build step).
// Every call goes to the JSON API relative to <base href>, so the portal works under any
// path prefix. Texts shown to voters come from the API's French messages or from the pages.

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

const NETWORK_ERROR = "Le portail ne répond pas. Vérifiez votre connexion à internet, puis réessayez dans un instant.";

async function api(method, path, body) {
  const options = { method, credentials: "same-origin", headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(new URL(path, document.baseURI), options);
  } catch {
    return { status: 0, data: { error: { code: "network", message: NETWORK_ERROR } }, headers: new Headers() };
  }
  let data = null;
  if (response.status !== 204) {
    try { data = await response.json(); } catch { data = null; }
  }
  return { status: response.status, data, headers: response.headers };
}

function errorOf(result) {
  return (result.data && result.data.error) || { code: "unknown", message: NETWORK_ERROR };
}

function showStep(name) {
  for (const step of $$("[data-step]")) step.hidden = step.dataset.step !== name;
  const shown = $(`[data-step="${name}"]`);
  const heading = shown && $("h1", shown);
  if (shown && shown.hasAttribute("tabindex")) shown.focus();
  else if (heading) heading.setAttribute("tabindex", "-1");
}

function clearErrors(form) {
  const alert = $("[data-form-error]", form);
  if (alert) { alert.hidden = true; alert.textContent = ""; }
  for (const group of $$(".fr-input-group--error", form)) group.classList.remove("fr-input-group--error");
  for (const input of $$("[aria-invalid]", form)) { input.removeAttribute("aria-invalid"); input.classList.remove("fr-input--error"); }
  for (const text of $$(".fr-error-text", form)) { text.hidden = true; text.textContent = ""; }
}

function formError(form, message) {
  const alert = $("[data-form-error]", form);
  alert.textContent = message;
  alert.hidden = false;
}

function fieldError(form, name, message) {
  const input = form.elements[name];
  const group = $(`[data-group="${name}"]`, form);
  const text = $(`#${name}-error`, form);
  if (!input || !text) { formError(form, message); return; }
  group && group.classList.add("fr-input-group--error");
  input.classList.add("fr-input--error");
  input.setAttribute("aria-invalid", "true");
  text.textContent = message;
  text.hidden = false;
  input.focus();
}

function showError(form, result, fieldsByCode = {}) {
  const error = errorOf(result);
  const field = error.field || fieldsByCode[error.code];
  if (field && form.elements[field]) fieldError(form, field, error.message);
  else formError(form, error.message);
}

function busy(form, on) {
  for (const button of $$("button[type=submit]", form)) button.disabled = on;
}

function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

function setupShowPassword() {
  for (const box of $$("[data-show]")) {
    box.addEventListener("change", () => {
      for (const id of box.dataset.show.split(" ")) {
        const input = document.getElementById(id);
        if (input) input.type = box.checked ? "text" : "password";
      }
    });
  }
}

const when = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Paris" });
const day = new Intl.DateTimeFormat("fr-FR", { dateStyle: "long", timeZone: "Europe/Paris" });
const formatWhen = (iso) => (iso ? when.format(new Date(iso)) : "");

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

async function requireSession() {
  const me = await api("GET", "api/me");
  if (me.status === 401) { window.location.assign("connexion"); return null; }
  return me.status === 200 ? me.data : null;
}

async function signOut(everywhere) {
  await api("DELETE", everywhere ? "api/sessions" : "api/sessions/current");
  window.location.assign("connexion");
}

function setupSignOut() {
  for (const button of $$("[data-sign-out]")) button.addEventListener("click", () => signOut(false));
  for (const button of $$("[data-sign-out-everywhere]")) button.addEventListener("click", () => signOut(true));
}

// --- password rules, ticked live as the voter types -------------------------------------

const LOCAL_CHECKS = {
  too_short: (p, policy) => [...p].length >= policy.min,
  too_long: (p, policy) => [...p].length <= policy.max,
  missing_lowercase: (p) => /\p{Ll}/u.test(p),
  missing_uppercase: (p) => /\p{Lu}/u.test(p),
  missing_digit: (p) => /\p{Nd}/u.test(p),
};

async function setupRules(form) {
  const list = $("[data-rules]", form);
  const result = await api("GET", "api/password-policy");
  const rules = (result.data && result.data.rules) || [];
  const policy = { min: 8, max: 24 };
  for (const rule of rules) {
    const number = parseInt(rule.label.replace(/\D+/g, ""), 10);
    if (rule.code === "too_short") policy.min = number;
    if (rule.code === "too_long") policy.max = number;
    list.append(element("li", { class: "fr-message fr-message--info", "data-code": rule.code, text: rule.label }));
  }
  const password = form.elements.password;
  const confirmation = form.elements.password_confirmation;
  const update = () => {
    const value = password.value.normalize("NFC");
    for (const item of $$("li", list)) {
      const check = LOCAL_CHECKS[item.dataset.code];
      let ok = null;
      if (check && value) ok = check(value, policy);
      if (item.dataset.code === "confirmation_mismatch" && confirmation.value) ok = value === confirmation.value.normalize("NFC");
      item.classList.toggle("fr-message--valid", ok === true);
      item.classList.toggle("fr-message--error", ok === false);
      item.classList.toggle("fr-message--info", ok === null);
    }
  };
  password.addEventListener("input", update);
  confirmation.addEventListener("input", update);
  return (violations) => {
    for (const item of $$("li", list)) {
      if (violations.includes(item.dataset.code)) {
        item.classList.remove("fr-message--valid", "fr-message--info");
        item.classList.add("fr-message--error");
      }
    }
  };
}

// --- pages ------------------------------------------------------------------------------

const pages = {};

function emailRequestPage(path) {
  return () => {
    const form = $("#email-form");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearErrors(form);
      busy(form, true);
      const result = await api("POST", path, { email: form.elements.email.value });
      busy(form, false);
      if (result.status === 202) {
        $("[data-accepted-message]").textContent = result.data.message;
        showStep("sent");
      } else {
        showError(form, result, { invalid_email: "email" });
      }
    });
  };
}

pages.inscription = emailRequestPage("api/registrations");
pages["mot-de-passe-oublie"] = emailRequestPage("api/password-resets");

pages.connexion = () => {
  const form = $("#sign-in-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    const { email, password } = formValues(form);
    const result = await api("POST", "api/sessions", { email, password });
    busy(form, false);
    if (result.status === 200) window.location.assign("espace");
    else showError(form, result);
  });
};

pages["mot-de-passe"] = async () => {
  const match = /jeton=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  // The token leaves the address bar (and so the history and any screenshot) at once.
  history.replaceState(null, "", window.location.pathname);
  const token = match ? match[1] : "";
  const linkError = (result) => {
    const error = errorOf(result);
    $("[data-link-error]").textContent = error.message;
    if (error.code === "token_used") $("[data-new-link]").setAttribute("href", "mot-de-passe-oublie");
    showStep("link-error");
  };
  const check = await api("POST", "api/token-checks", { token });
  if (check.status !== 200) { linkError(check); return; }
  if (check.data.purpose === "reset") {
    $("[data-title]").textContent = "Choisir un nouveau mot de passe électeur";
    $("[data-done-message]").textContent = "Votre nouveau mot de passe électeur est enregistré. Vos connexions en cours ont été fermées.";
  }
  $("[data-masked-email]").textContent = check.data.email;
  const form = $("#password-form");
  const markViolations = await setupRules(form);
  showStep("form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    const { password, password_confirmation } = formValues(form);
    const result = await api("POST", "api/passwords", { token, password, password_confirmation });
    busy(form, false);
    if (result.status === 204) { showStep("done"); return; }
    if (result.status === 410) { linkError(result); return; }
    const error = errorOf(result);
    if (error.violations) markViolations(error.violations);
    formError(form, error.message);
    form.elements.password.focus();
  });
};

const PHASES = {
  upcoming: ["À venir", "fr-badge--info"],
  lists_published: ["Listes publiées — réclamations ouvertes", "fr-badge--new"],
  claims_closed: ["Réclamations closes", "fr-badge--info"],
  candidates_published: ["Candidatures publiées", "fr-badge--info"],
  voting_open: ["Vote ouvert", "fr-badge--success"],
  closed: ["Scrutin clos", ""],
};
const LEVELS = { national: "national", academique: "académique", departemental: "départemental" };

function ballotSection(ballot) {
  const [phaseLabel, phaseClass] = PHASES[ballot.phase] || [ballot.phase, ""];
  const section = element("section", { class: "ee-ballot fr-mb-4w", "aria-labelledby": `ballot-${ballot.id}` });
  section.append(
    element("h3", { id: `ballot-${ballot.id}`, class: "fr-h5", text: ballot.label }),
    element("p", { class: `fr-badge fr-badge--sm ${phaseClass}`, text: phaseLabel }),
    element("p", { class: "fr-text--sm", text: `${ballot.kind} — niveau ${LEVELS[ballot.level] || ballot.level} — ${ballot.perimeter}` }),
  );
  const dates = element("dl", { class: "ee-dates" });
  for (const [label, key] of [["Listes électorales publiées le", "lists_published_at"], ["Réclamations jusqu'au", "claims_close_at"],
    ["Candidatures publiées le", "candidates_published_at"], ["Vote du", "voting_opens_at"], ["au", "voting_closes_at"]]) {
    dates.append(element("dt", { text: label }), element("dd", { text: formatWhen(ballot[key]) }));
  }
  section.append(dates);
  if (ballot.candidate_lists_published) {
    const lists = element("ul", { class: "ee-candidates" });
    for (const list of ballot.candidate_lists) {
      lists.append(element("li", {}, element("strong", { text: `${list.acronym} — ` }), `${list.name} `,
        element("a", { class: "fr-link", href: list.statement_url, target: "_blank", rel: "noopener noreferrer",
          title: `Profession de foi ${list.acronym} — nouvelle fenêtre`, text: "profession de foi" })));
    }
    section.append(element("h4", { class: "fr-text--md fr-mb-1v", text: `Listes de candidats (${ballot.candidate_lists.length})` }), lists);
  } else {
    section.append(element("p", { class: "fr-text--sm", text: `Les listes de candidats seront publiées le ${day.format(new Date(ballot.candidates_published_at))}.` }));
  }
  const actions = element("ul", { class: "fr-btns-group fr-btns-group--inline fr-btns-group--sm" });
  if (ballot.phase !== "upcoming") {
    actions.append(element("li", {}, element("a", { class: "fr-btn fr-btn--secondary", href: `liste-electorale#${ballot.id}`, text: "Consulter la liste électorale" })));
  }
  if (ballot.phase === "lists_published") {
    actions.append(element("li", {}, element("a", { class: "fr-btn fr-btn--tertiary", href: `reclamations#${ballot.id}`, text: "Contester la liste" })));
  }
  section.append(actions);
  return section;
}

pages.espace = async () => {
  setupSignOut();
  const me = await requireSession();
  if (!me) return;
  for (const node of $$("[data-field]")) {
    const value = me[node.dataset.field];
    node.textContent = node.dataset.field.endsWith("_at") ? formatWhen(value) : value || "—";
  }
  const result = await api("GET", "api/me/ballots");
  const area = $("[data-ballots]");
  const ballots = (result.data && result.data.ballots) || [];
  if (!ballots.length) area.append(element("p", { text: "Vous n'êtes inscrit sur aucun scrutin. Si c'est une erreur, signalez-le au service des élections de votre académie." }));
  for (const ballot of ballots) area.append(ballotSection(ballot));
  showStep("ready");
};

pages["liste-electorale"] = async () => {
  const me = await requireSession();
  if (!me) return;
  const ballotId = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  const errorArea = $("[data-form-error]");
  const fail = (result) => { errorArea.textContent = errorOf(result).message; errorArea.hidden = false; };
  const mine = await api("GET", "api/me/ballots");
  const ballot = ((mine.data && mine.data.ballots) || []).find((b) => b.id === ballotId);
  if (ballot) $("[data-ballot-label]").textContent = `— ${ballot.label}`;
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
    rows.replaceChildren(...result.data.voters.map((v) => element("tr", {},
      element("td", { text: v.last_name }), element("td", { text: v.first_name }), element("td", { text: v.workplace }))));
    const page = cursors.length;
    status.textContent = result.data.voters.length
      ? `Page ${page} : ${result.data.voters.length} électeurs${query ? ` dont le nom commence par « ${query} »` : ""}.`
      : `Aucun électeur${query ? ` dont le nom commence par « ${query} »` : ""}.`;
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
};

pages.reclamations = async () => {
  const me = await requireSession();
  if (!me) return;
  const form = $("#claim-form");
  const mine = await api("GET", "api/me/ballots");
  const open = ((mine.data && mine.data.ballots) || []).filter((b) => b.phase === "lists_published");
  const select = form.elements.ballot;
  for (const ballot of open) select.append(element("option", { value: ballot.id, text: ballot.label }));
  const wanted = decodeURIComponent(window.location.hash.replace(/^#/, ""));
  if (open.some((b) => b.id === wanted)) select.value = wanted;
  if (!open.length) { $("[data-claim-form-area]").hidden = true; $("[data-no-claims-open]").hidden = false; }
  const labels = Object.fromEntries(((mine.data && mine.data.ballots) || []).map((b) => [b.id, b.label]));
  const showClaims = async () => {
    const result = await api("GET", "api/me/claims");
    const claims = (result.data && result.data.claims) || [];
    const area = $("[data-claims]");
    if (!claims.length) { area.replaceChildren(element("p", { text: "Vous n'avez envoyé aucune réclamation." })); return; }
    area.replaceChildren(...claims.map((claim) => element("article", { class: "ee-claim fr-mb-3w" },
      element("h3", { class: "fr-h6 fr-mb-1v", text: `${claim.reference} — ${labels[claim.ballot_id] || claim.ballot_id}` }),
      element("p", { class: `fr-badge fr-badge--sm ${claim.status === "answered" ? "fr-badge--success" : "fr-badge--info"}`,
        text: claim.status === "answered" ? "Répondue" : "En cours d'examen" }),
      element("p", { class: "fr-text--sm fr-mb-1v", text: `Envoyée le ${formatWhen(claim.created_at)}` }),
      element("p", { class: "ee-message", text: claim.message }),
      claim.answer ? element("div", { class: "fr-callout fr-callout--sm" },
        element("p", { class: "fr-callout__text", text: `Réponse du ${formatWhen(claim.answered_at)} : ${claim.answer}` })) : null)));
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    $("[data-form-success]", form).hidden = true;
    busy(form, true);
    const result = await api("POST", `api/ballots/${encodeURIComponent(select.value)}/claims`, { message: form.elements.message.value });
    busy(form, false);
    if (result.status === 201 || result.status === 200) {
      const success = $("[data-form-success]", form);
      success.textContent = `Réclamation enregistrée sous la référence ${result.data.reference}. Le service des élections vous répondra ici et par courriel.`;
      success.hidden = false;
      form.elements.message.value = "";
      await showClaims();
    } else {
      showError(form, result, { invalid_message: "message" });
    }
  });
  await showClaims();
  showStep("ready");
};

pages.compte = async () => {
  setupSignOut();
  const me = await requireSession();
  if (!me) return;
  const form = $("#change-password-form");
  const markViolations = await setupRules(form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    $("[data-form-success]", form).hidden = true;
    busy(form, true);
    const result = await api("PUT", "api/me/password", formValues(form));
    busy(form, false);
    if (result.status === 204) {
      form.reset();
      const success = $("[data-form-success]", form);
      success.textContent = "Votre mot de passe électeur est changé. Vos autres connexions ont été fermées.";
      success.hidden = false;
      return;
    }
    const error = errorOf(result);
    if (error.violations) markViolations(error.violations);
    formError(form, error.message);
  });
  showStep("ready");
};

pages.signaler = () => {
  const form = $("#public-claim-form");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    busy(form, true);
    const result = await api("POST", "api/public-claims", formValues(form));
    busy(form, false);
    if (result.status === 202) {
      $("[data-accepted-message]").textContent = result.data.message;
      showStep("sent");
    } else {
      showError(form, result, { invalid_email: "email", invalid_message: "message" });
    }
  });
};

setupShowPassword();
const init = pages[document.body.dataset.page];
if (init) init();
