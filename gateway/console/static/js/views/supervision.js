// 督查督办: the tasks by state, each with its light (blue, yellow, red: 三色督办), deadline and
// progress, and the report for leaders as PDF or spreadsheet.
import { all, api, download, meetingPath } from "../api.js";
import { field, h, options, replace, toast } from "../dom.js";
import { dateTime } from "../format.js";
import { t } from "../i18n.js";
import { debounced, subscribe } from "../live.js";
import { failure, heading } from "./common.js";

const STATES = ["registered", "assigned", "in_progress", "extension_pending", "reported", "returned", "approved", "closed"];
const COLOURS = ["green", "blue", "yellow", "red"];

export function render(view) {
  const headline = h("p", { class: "headline" });
  const colour = h("select", { name: "colour", onchange: () => refresh() },
    options([["", t("filter.all")], ...COLOURS.map((c) => [c, t(`light.${c}`)])], ""));
  const board = h("div", { class: "board" }, h("p", { class: "muted" }, t("loading")));
  const reports = [["/supervision/report.pdf", "sup.reportPdf"], ["/supervision/report.xlsx", "sup.reportXlsx"]]
    .map(([path, key]) => h("button", { type: "button", onclick: () => download(meetingPath(path)).catch((e) => toast(e.message, "bad")) }, t(key)));
  replace(view, heading(t("nav.supervision"), reports), headline, h("form", { class: "filters", onsubmit: (e) => e.preventDefault() },
    field(t("sup.light"), colour)), board);

  async function refresh() {
    try {
      const [tasks, report] = await Promise.all([all(meetingPath("/tasks"), { colour: colour.value }),
        api.get(meetingPath("/supervision/report")).catch(() => null)]);
      headline.textContent = report?.headline || "";
      replace(board, STATES.map((state) => lane(state, tasks.filter((task) => task.state === state))));
    } catch (error) {
      replace(board, failure(error));
    }
  }
  refresh();
  return subscribe(debounced(refresh));
}

function lane(state, tasks) {
  return h("section", { class: "lane", "data-state": state, "aria-label": t(`task.${state}`) },
    h("h3", {}, `${t(`task.${state}`)}（${tasks.length}）`),
    h("ul", {}, tasks.map(card)));
}

function card(task) {
  const light = task.colour || "none";
  const last = task.reminders.at(-1);
  return h("li", { class: `task light-${light}`, "data-task": task.id, "data-light": light },
    h("p", { class: "task-head" },
      h("span", { class: `lamp ${light}`, role: "img", "aria-label": t(`light.${light}`) }),
      h("strong", {}, task.number), " ", h("span", { class: "lamp-text" }, t(`light.${light}`)),
      task.overdue ? h("span", { class: "tag bad" }, t("sup.overdue")) : null),
    h("p", {}, task.content),
    h("p", { class: "muted" }, `${task.lead_department} · ${task.responsible_person}`),
    h("p", {}, t("sup.deadline", { deadline: dateTime(task.deadline) })),
    h("p", { class: "muted" }, t("sup.progress", { state: task.state_label, round: task.round,
      reminders: task.reminders.length })),
    last ? h("p", { class: "muted" }, t("sup.lastReminder", { at: dateTime(last.reminded_at), notice: last.notice })) : null);
}
