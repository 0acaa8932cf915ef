// 文件清退: per document and per person, the copies issued, returned, retained and missing; a
// return recorded by scanning or typing the copy number; who may not leave yet for copies still out.
import { all, api, download, meetingPath } from "../api.js";
import { field, h, options, replace, table, toast } from "../dom.js";
import { t } from "../i18n.js";
import { debounced, subscribe } from "../live.js";
import { failure, heading } from "./common.js";

const CLERK = "huiwu.desk.clerk";
const STATES = ["issued", "returned", "retained", "missing"];
const LOOKUPS_AT_ONCE = 6;

export function render(view) {
  const state = { documents: [], register: [], blocked: new Set() };
  const body = h("div", {}, h("p", { class: "muted" }, t("loading")));
  const form = returnForm(state, () => refresh());
  const exports = [["/documents/register.xlsx", "desk.registerXlsx"], ["/documents/return-list.pdf", "desk.returnList"]]
    .map(([path, key]) => h("button", { type: "button", onclick: () => download(meetingPath(path)).catch((e) => toast(e.message, "bad")) }, t(key)));
  replace(view, heading(t("nav.documents"), exports), form.element, body);

  async function refresh() {
    try {
      [state.documents, state.register] = await Promise.all([all(meetingPath("/documents")), api.get(meetingPath("/documents/register"))]);
      state.blocked = await blockedPeople(people(state.register));
      form.update();
      replace(body, byDocument(state), byPerson(state));
    } catch (error) {
      replace(body, failure(error));
    }
  }
  refresh();
  return subscribe(debounced(refresh));
}

function tally(rows) {
  const counts = Object.fromEntries(STATES.map((s) => [s, 0]));
  for (const row of rows) counts[row.state] += 1;
  return counts;
}

function byDocument(state) {
  const rows = state.documents.map((document) => {
    const counts = tally(state.register.filter((row) => row.document_id === document.id));
    const issued = STATES.reduce((sum, s) => sum + counts[s], 0);
    return h("tr", { "data-document": document.id },
      h("th", { scope: "row" }, document.title), h("td", {}, document.marking), h("td", {}, document.print_run),
      h("td", {}, issued), h("td", { "data-state": "returned" }, counts.returned), h("td", { "data-state": "retained" }, counts.retained),
      h("td", { "data-state": "missing", class: counts.missing ? "bad" : "" }, counts.missing),
      h("td", { "data-state": "issued", class: counts.issued ? "warn" : "" }, counts.issued));
  });
  return h("div", { class: "scroll" }, table(t("desk.byDocument"),
    [t("col.document"), t("col.marking"), t("copies.printed"), t("copies.issued"), t("copies.returned"), t("copies.retained"),
      t("copies.missing"), t("copies.outstanding")], rows, { empty: t("desk.noDocuments") }));
}

function people(register) {
  const holders = new Map();
  for (const row of register) {
    if (!row.attendee_id) continue;
    const holder = holders.get(row.attendee_id) || { id: row.attendee_id, name: row.holder, organization: row.organization, rows: [] };
    holder.rows.push(row);
    holders.set(row.attendee_id, holder);
  }
  return [...holders.values()];
}

function byPerson(state) {
  const rows = people(state.register).map((person) => {
    const counts = tally(person.rows);
    const blocked = state.blocked.has(person.id);
    const outstanding = person.rows.filter((row) => row.state === "issued").map((row) => row.copy_no);
    return h("tr", { "data-attendee": person.id, class: blocked ? "blocked" : "" },
      h("th", { scope: "row" }, person.name), h("td", {}, person.organization || ""),
      h("td", {}, person.rows.length), h("td", {}, counts.returned), h("td", {}, counts.missing),
      h("td", { "data-state": "issued" }, outstanding.length ? `${outstanding.length}（${outstanding.join("、")}）` : "0"),
      h("td", { "data-departure": blocked ? "blocked" : "clear" }, blocked ? h("strong", { class: "bad" }, t("desk.blocked")) : ""));
  });
  return h("div", { class: "scroll" }, table(t("desk.byPerson"),
    [t("col.name"), t("col.organization"), t("copies.issued"), t("copies.returned"), t("copies.missing"),
      t("copies.outstanding"), t("desk.departure")], rows, { empty: t("desk.noCopies") }));
}

/** Who asked to leave and was refused by documents for copies still out (they hold one now). */
async function blockedPeople(holders) {
  const waiting = holders.filter((person) => person.rows.some((row) => row.state === "issued"));
  const blocked = new Set();
  for (let i = 0; i < waiting.length; i += LOOKUPS_AT_ONCE) {
    await Promise.all(waiting.slice(i, i + LOOKUPS_AT_ONCE).map(async (person) => {
      const clearance = await api.get(meetingPath(`/attendees/${person.id}/clearance`)).catch(() => null);
      if (clearance?.last_request?.status === "denied") blocked.add(person.id);
    }));
  }
  return blocked;
}

function returnForm(state, recorded) {
  const documentChoice = h("select", { name: "document" });
  const number = h("input", { name: "copy_no", inputmode: "numeric", autocomplete: "off", required: true, class: "scan-input small" });
  const clerk = h("input", { name: "received_by", required: true, value: localStorage.getItem(CLERK) || "" });
  const complete = h("input", { type: "checkbox", name: "complete", checked: true });
  const remarks = h("input", { name: "remarks" });
  const result = h("p", { role: "status", "aria-live": "polite" });
  const element = h("form", { class: "card", onsubmit: async (event) => {
    event.preventDefault();
    localStorage.setItem(CLERK, clerk.value.trim());
    const copyNo = number.value.trim().replace(/\D/g, "").padStart(6, "0");
    const matches = state.register.filter((row) => row.copy_no === copyNo && row.state === "issued" &&
      (!documentChoice.value || row.document_id === documentChoice.value));
    if (matches.length !== 1) {
      result.className = "bad";
      result.textContent = matches.length ? t("desk.chooseDocument", { copy: copyNo }) : t("desk.notOut", { copy: copyNo });
      return;
    }
    const copy = matches[0];
    try {
      await api.post(meetingPath(`/documents/${copy.document_id}/copies/${copyNo}/return`), {
        returned_by: copy.holder, received_by: clerk.value.trim(), complete: complete.checked, remarks: remarks.value.trim() || null,
      });
      result.className = "ok";
      result.textContent = t("desk.returned", { copy: copyNo, title: copy.title, name: copy.holder });
      number.value = remarks.value = "";
      complete.checked = true;
      number.focus();
      recorded();
    } catch (error) {
      result.className = "bad";
      result.textContent = error.message;
    }
  } },
  h("h3", {}, t("desk.record")),
  h("div", { class: "row" }, field(t("col.document"), documentChoice), field(t("desk.copyNo"), number, t("desk.copyHint")),
    field(t("desk.clerk"), clerk), h("div", { class: "field check" }, h("label", {}, complete, t("desk.complete"))),
    field(t("desk.remarks"), remarks), h("button", { type: "submit", class: "primary" }, t("desk.submit"))),
  result);

  function update() {
    const chosen = documentChoice.value;
    replace(documentChoice, options([["", t("desk.anyDocument")], ...state.documents.map((d) => [d.id, `${d.title}（${d.marking}）`])], chosen));
  }
  return { element, update };
}
