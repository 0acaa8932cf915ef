// 会议总览: attendance and quorum, today's sessions, documents out, overdue tasks, departments' sync;
// refreshed whenever the meeting's event stream says something happened.
import { api, meetingPath } from "../api.js";
import { h, replace, table } from "../dom.js";
import { time } from "../format.js";
import { t } from "../i18n.js";
import { debounced, subscribe } from "../live.js";
import { card, failure, heading, unavailable } from "./common.js";

const FALLBACK_POLL_MS = 30000;  // should the stream be down, the numbers still move

export function render(view) {
  const body = h("div", { class: "cards", "aria-live": "polite" }, h("p", { class: "muted" }, t("loading")));
  replace(view, heading(t("nav.dashboard")), body);
  let stopped = false;
  const refresh = async () => {
    try {
      const board = await api.get(meetingPath("/dashboard"));
      if (!stopped) replace(body, sections(board));
    } catch (error) {
      if (!stopped) replace(body, failure(error));
    }
  };
  refresh();
  const unsubscribe = subscribe(debounced(refresh));
  const timer = setInterval(refresh, FALLBACK_POLL_MS);
  return () => { stopped = true; unsubscribe(); clearInterval(timer); };
}

function sections(board) {
  return [
    card(t("dash.attendance"), shown(board.attendance, attendance)),
    card(t("dash.sessions"), shown(board.sessions_today, sessions)),
    card(t("dash.documents"), shown(board.documents, documents)),
    card(t("dash.supervision"), shown(board.supervision, supervision)),
    card(t("dash.sync"), shown(board.sync, sync)),
  ];
}

function shown(section, draw) {
  return section.available ? draw(section.data) : unavailable(section.status, section.reason);
}

function count(name, label, value) {
  return h("div", { class: "count", "data-count": name }, h("span", { class: "number" }, value), h("span", { class: "label" }, label));
}

function attendance(data) {
  const total = data.total;
  return [
    h("div", { class: "counts" },
      count("expected", t("dash.expected"), total.expected),
      count("present", t("dash.present"), total.present),
      count("on_leave", t("dash.onLeave"), total.on_leave),
      count("absent", t("dash.absent"), total.absent)),
    h("p", { class: `quorum ${data.quorum.met ? "ok" : "bad"}`, "data-quorum": data.quorum.met ? "met" : "not-met" },
      data.announcement),
    h("p", { class: "muted" }, t("dash.quorumDetail", {
      present: data.quorum.members_present, expected: data.quorum.members_expected, required: data.quorum.required,
    })),
  ];
}

function sessions(data) {
  const rows = data.sessions.map((s) => h("tr", { class: s.status === "cancelled" ? "cancelled" : "" },
    h("td", {}, `${time(s.starts_at)}–${time(s.ends_at)}`), h("td", {}, s.title), h("td", {}, s.room_name),
    h("td", {}, s.expected_count), h("td", {}, t(`session.${s.status}`))));
  return table(t("dash.sessionsOn", { day: data.day }),
    [t("col.time"), t("col.session"), t("col.room"), t("col.expected"), t("col.status")], rows, { empty: t("dash.noSessions") });
}

function documents(data) {
  const copies = data.copies;
  return h("div", { class: "counts small" },
    count("documents", t("dash.docCount"), data.documents),
    count("issued", t("copies.issued"), copies.issued),
    count("outstanding", t("copies.outstanding"), copies.outstanding),
    count("returned", t("copies.returned"), copies.returned),
    count("missing", t("copies.missing"), copies.missing));
}

function supervision(data) {
  return [
    h("p", {}, data.headline),
    h("div", { class: "counts small" },
      count("tasks", t("dash.tasks"), data.tasks),
      count("overdue", t("dash.overdue"), data.overdue_tasks),
      count("open_cases", t("dash.openCases"), data.open_cases)),
  ];
}

function sync(data) {
  const rows = Object.entries(data.departments).map(([name, department]) => h("tr", {},
    h("th", { scope: "row" }, t(`dept.${name}`)),
    h("td", {}, department.error ? `${department.error} ${department.detail || ""}` : department.attendees ?? "—"),
    h("td", {}, department.outbox_pending ?? "—"), h("td", {}, department.parked_messages ?? "—")));
  return [
    h("p", { class: data.in_sync ? "ok" : "bad" }, data.in_sync ? t("dash.inSync") : t("dash.notInSync")),
    table(t("dash.sync"), [t("col.department"), t("col.attendees"), t("col.pending"), t("col.parked")], rows),
  ];
}
