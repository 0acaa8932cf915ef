// 名册: the roster in protocol order with search and filters, import (a dry run's report row by
// row, then the import itself), leave and substitution, and the exports.
import { ApiError, all, api, call, download, meetingPath } from "../api.js";
import { field, h, options, replace, table, toast } from "../dom.js";
import { t } from "../i18n.js";
import { categoryLabel, failure, heading } from "./common.js";

const CATEGORIES = ["member", "observer", "guest", "staff"];
const STATUSES = ["registered", "substituted", "withdrawn"];
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export function render(view) {
  const state = { people: [], groups: [] };
  const search = h("input", { type: "search", name: "q", oninput: draw });
  const category = h("select", { name: "category", onchange: load },
    options([["", t("filter.all")], ...CATEGORIES.map((c) => [c, categoryLabel(c)])], ""));
  const status = h("select", { name: "status", onchange: load },
    options(STATUSES.map((s) => [s, t(`status.${s}`)]), "registered"));
  const group = h("select", { name: "group", onchange: load }, options([["", t("filter.all")]], ""));
  const count = h("p", { class: "muted", role: "status" });
  const list = h("div", { class: "scroll" });
  const exports = [["/attendees/export.xlsx", "roster.exportXlsx"], ["/attendees/export.pdf", "roster.exportPdf"],
    ["/attendees/badges.pdf", "roster.badges"]].map(([path, key]) =>
    h("button", { type: "button", onclick: () => download(meetingPath(path)).catch((e) => toast(e.message, "bad")) }, t(key)));

  replace(view,
    heading(t("nav.roster"), exports),
    importer(() => load()),
    h("form", { class: "filters", role: "search", onsubmit: (e) => e.preventDefault() },
      field(t("roster.search"), search), field(t("roster.category"), category),
      field(t("roster.group"), group), field(t("roster.status"), status)),
    count, list);

  api.get(meetingPath("/groups")).then((groups) => {
    state.groups = Array.isArray(groups) ? groups : groups.items || [];
    group.append(...options(state.groups.map((g) => [g.id, g.name]), ""));
  }, () => {});
  load();

  async function load() {
    try {
      state.people = await all(meetingPath("/attendees"), {
        order: "protocol", category: category.value, status: status.value, group_id: group.value,
      });
      draw();
    } catch (error) {
      replace(list, failure(error));
    }
  }

  function draw() {
    const words = search.value.trim().toLowerCase();
    const shown = state.people.filter((p) => !words ||
      [p.name, p.organization, p.title, p.delegation].some((text) => (text || "").toLowerCase().includes(words)));
    count.textContent = t("roster.count", { shown: shown.length, total: state.people.length });
    replace(list, table(t("roster.caption"),
      ["#", t("col.name"), t("col.organization"), t("col.title"), t("col.category"), t("col.delegation"), t("col.actions")],
      shown.map((person, index) => row(person, index))));
  }

  function row(person, index) {
    const active = person.status === "registered";
    return h("tr", { "data-attendee": person.id },
      h("td", {}, index + 1), h("th", { scope: "row" }, person.name), h("td", {}, person.organization),
      h("td", {}, person.title), h("td", {}, categoryLabel(person.category)), h("td", {}, person.delegation || ""),
      h("td", { class: "actions" }, active ? [
        h("button", { type: "button", onclick: () => leaveDialog(person, load) }, t("roster.leave")),
        h("button", { type: "button", onclick: () => substituteDialog(person, load) }, t("roster.substitute")),
      ] : t(`status.${person.status}`)));
  }
}

function importer(imported) {
  const file = h("input", { type: "file", name: "file", accept: ".csv,.xlsx,text/csv," + XLSX });
  const report = h("div", { class: "report", "aria-live": "polite" });
  const check = h("button", { type: "button", onclick: () => send(true) }, t("import.dryRun"));
  const run = h("button", { type: "button", class: "primary", disabled: true, onclick: () => send(false) }, t("import.run"));
  file.addEventListener("change", () => { run.disabled = true; replace(report); });

  async function send(dryRun) {
    const chosen = file.files[0];
    if (!chosen) { replace(report, h("p", { class: "error", role: "alert" }, t("import.chooseFile"))); return; }
    const type = chosen.name.toLowerCase().endsWith(".xlsx") ? XLSX : "text/csv";
    check.disabled = run.disabled = true;
    try {
      const answer = await (await fetchImport(chosen, type, dryRun)).json();
      replace(report, reportOf(answer));
      run.disabled = !dryRun || answer.problems.length > 0;  // a real import only after a clean dry run
      if (!dryRun) { toast(t("import.done", { count: answer.imported }), "ok"); imported(); }
    } catch (error) {
      replace(report, error instanceof ApiError && error.problem.problems ? reportOf(error.problem) : failure(error));
    } finally {
      check.disabled = false;
    }
  }

  return h("details", { class: "card" }, h("summary", {}, t("import.title")),
    h("p", { class: "muted" }, t("import.hint")), field(t("import.file"), file), h("div", { class: "actions" }, check, run), report);
}

function fetchImport(chosen, type, dryRun) {
  return call("POST", meetingPath("/attendees/import"), {
    body: chosen, query: { dry_run: String(dryRun) }, headers: { "Content-Type": type }, raw: true,
  });
}

function reportOf(answer) {
  const byRow = new Map();
  for (const problem of answer.problems) byRow.set(problem.row, [...(byRow.get(problem.row) || []), problem]);
  const summary = answer.dry_run
    ? t("import.summaryDry", { rows: answer.rows, valid: answer.valid, problems: answer.problems.length })
    : t("import.summary", { rows: answer.rows, imported: answer.imported ?? 0, problems: answer.problems.length });
  const rows = [...byRow.entries()].map(([number, problems]) => h("tr", { class: "bad", "data-row": number },
    h("th", { scope: "row" }, t("import.row", { row: number })),
    h("td", {}, problems.map((p) => h("div", {}, `${p.field}（${p.rule}）：${p.message}`)))));
  return [
    h("p", { class: answer.problems.length ? "bad" : "ok", "data-report": answer.dry_run ? "dry-run" : "import" }, summary),
    answer.problems.length ? table(t("import.problems"), [t("import.rowCol"), t("import.problemCol")], rows) : null,
    answer.ignored_columns?.length ? h("p", { class: "muted" }, t("import.ignored", { columns: answer.ignored_columns.join("、") })) : null,
  ];
}

function dialog(title, fields, submit) {
  const message = h("p", { class: "error", role: "alert" });
  const box = h("dialog", { class: "dialog" },
    h("form", { method: "dialog", onsubmit: async (event) => {
      event.preventDefault();
      try { await submit(); box.close(); box.remove(); } catch (error) { message.textContent = error.message; }
    } },
    h("h3", {}, title), fields, message,
    h("div", { class: "actions" },
      h("button", { type: "button", onclick: () => { box.close(); box.remove(); } }, t("cancel")),
      h("button", { type: "submit", class: "primary" }, t("confirm")))));
  document.body.append(box);
  box.showModal();
}

function leaveDialog(person, done) {
  const kind = h("select", { name: "kind" }, options(["sick", "personal", "official"].map((k) => [k, t(`leave.${k}`)]), "personal"));
  const reason = h("input", { name: "reason", required: true });
  const approver = h("input", { name: "approver", required: true });
  dialog(t("roster.leaveFor", { name: person.name }), [field(t("leave.kind"), kind), field(t("leave.reason"), reason),
    field(t("leave.approver"), approver)], async () => {
    const answer = await api.post(meetingPath(`/attendees/${person.id}/leave`), {
      kind: kind.value, reason: reason.value, approver: approver.value,
    });
    toast(answer?.attendee_id ? t("roster.leaveGranted", { name: person.name }) : t("roster.held"), "ok");
    done();
  });
}

function substituteDialog(person, done) {
  const name = h("input", { name: "name", required: true });
  const organization = h("input", { name: "organization", required: true, value: person.organization });
  const title = h("input", { name: "title", required: true, value: person.title });
  dialog(t("roster.substituteFor", { name: person.name }), [field(t("col.name"), name),
    field(t("col.organization"), organization), field(t("col.title"), title)], async () => {
    const answer = await api.post(meetingPath(`/attendees/${person.id}/substitute`), {
      name: name.value, organization: organization.value, title: title.value,
    });
    toast(answer?.name ? t("roster.substituted", { old: person.name, name: answer.name }) : t("roster.held"), "ok");
    done();
  });
}
