// 日程与座次: the agenda; a session's seating chart (venue's SVG, and the seats from the seating
// API); moving a session to another room or time, after which the chart and the notices follow.
import { all, api, call, meetingPath } from "../api.js";
import { field, h, options, replace, table, toast } from "../dom.js";
import { dateTime, fromLocalInput, localInput, time } from "../format.js";
import { t } from "../i18n.js";
import { debounced, subscribe } from "../live.js";
import { failure, heading } from "./common.js";

const NOTICES_SHOWN = 10;
const NOTICE_POLL_MS = 5000;  // notices are written by registration a moment after a change

export function render(view) {
  const agenda = h("div", { class: "scroll" });
  const detail = h("div", { class: "session-detail" });
  const state = { sessions: [], rooms: [], selected: new URLSearchParams(location.hash.split("?")[1]).get("session") };
  replace(view, heading(t("nav.agenda")), agenda, detail);

  const refresh = async () => {
    try {
      state.sessions = await all(meetingPath("/sessions"));
      replace(agenda, agendaTable());
      if (state.selected) await showSession();
    } catch (error) {
      replace(agenda, failure(error));
    }
  };
  all("/api/v1/venues").then(async (venues) => {
    const lists = await Promise.all(venues.map((v) => api.get(`/api/v1/venues/${v.id}/rooms`)));
    state.rooms = lists.flat();
  }, () => {}).then(refresh);
  const unsubscribe = subscribe(debounced(refresh));
  const timer = setInterval(() => state.selected && notices(), NOTICE_POLL_MS);
  let chartUrl = null;
  return () => { unsubscribe(); clearInterval(timer); if (chartUrl) URL.revokeObjectURL(chartUrl); };

  function agendaTable() {
    const rows = state.sessions.map((s) => h("tr", { class: s.id === state.selected ? "selected" : s.status },
      h("td", {}, `${dateTime(s.starts_at)}–${time(s.ends_at)}`), h("th", { scope: "row" }, s.title),
      h("td", {}, s.room_name), h("td", {}, s.expected_count), h("td", {}, t(`session.${s.status}`)),
      h("td", {}, h("button", { type: "button", "aria-pressed": String(s.id === state.selected),
        onclick: () => { state.selected = s.id; replace(agenda, agendaTable()); showSession(); } }, t("agenda.seating")))));
    return table(t("agenda.caption"), [t("col.time"), t("col.session"), t("col.room"), t("col.expected"), t("col.status"), ""],
      rows, { empty: t("agenda.empty") });
  }

  async function showSession() {
    const session = state.sessions.find((s) => s.id === state.selected);
    if (!session) { replace(detail); return; }
    const shown = `${session.id}:${session.version}:${session.plan_version}`;
    if (shown === state.shown) { await notices(); return; }  // keeps what someone is typing
    state.shown = shown;
    const base = meetingPath(`/sessions/${session.id}`);
    const [plan, svg] = await Promise.all([
      api.get(`${base}/seating`).catch(() => null),
      call("GET", `${base}/seating.svg`, { raw: true, headers: { Accept: "image/svg+xml" } }).then((r) => r.blob()).catch(() => null),
    ]);
    if (chartUrl) URL.revokeObjectURL(chartUrl);
    chartUrl = svg ? URL.createObjectURL(svg) : null;
    const noticeList = h("div", { class: "notices", "aria-live": "polite" });
    replace(detail,
      h("h3", {}, session.title),
      h("div", { class: "two" },
        h("figure", { class: "chart", "data-room": plan?.room_name || session.room_name, "data-plan": plan?.plan_version ?? "" },
          chartUrl ? h("img", { src: chartUrl, alt: t("agenda.chartAlt", { room: plan?.room_name || session.room_name }) }) : null,
          h("figcaption", {}, plan ? t("agenda.chartCaption", { room: plan.room_name, version: plan.plan_version })
            : t("agenda.noPlan"))),
        h("div", {}, changeForm(session), switchForm(session), h("h4", {}, t("agenda.notices")), noticeList)),
      plan ? seatTable(plan) : null);
    await notices(noticeList);
  }

  async function notices(list = detail.querySelector(".notices")) {
    if (!list) return;
    try {
      const items = (await api.get(meetingPath("/notices"))).slice(-NOTICES_SHOWN).reverse();
      replace(list, items.length ? h("ul", {}, items.map((n) => h("li", {}, h("time", {}, dateTime(n.created_at)), " ", n.message,
        h("span", { class: "muted" }, ` （${t(`notice.${n.status}`)}）`)))) : h("p", { class: "muted" }, t("agenda.noNotices")));
    } catch (error) {
      replace(list, failure(error));
    }
  }

  function changeForm(session) {
    const starts = h("input", { type: "datetime-local", name: "starts_at", value: localInput(session.starts_at), required: true });
    const ends = h("input", { type: "datetime-local", name: "ends_at", value: localInput(session.ends_at), required: true });
    const room = h("select", { name: "room_id" },
      options(state.rooms.map((r) => [r.id, `${r.full_name || r.name}（${t("agenda.seats", { seats: r.seats })}）`]), session.room_id));
    return h("form", { class: "card", onsubmit: async (event) => {
      event.preventDefault();
      const changes = {};
      if (fromLocalInput(starts.value) !== fromLocalInput(localInput(session.starts_at))) changes.starts_at = fromLocalInput(starts.value);
      if (fromLocalInput(ends.value) !== fromLocalInput(localInput(session.ends_at))) changes.ends_at = fromLocalInput(ends.value);
      if (room.value && room.value !== session.room_id) changes.room_id = room.value;
      if (!Object.keys(changes).length) { toast(t("agenda.nothingChanged")); return; }
      try {
        await api.patch(meetingPath(`/sessions/${session.id}`), changes);
        toast(t("agenda.changed"), "ok");
        await refresh();
      } catch (error) {
        toast(error.message, "bad");
      }
    } }, h("h4", {}, t("agenda.change")), field(t("agenda.starts"), starts), field(t("agenda.ends"), ends),
    field(t("col.room"), room), h("button", { type: "submit", class: "primary" }, t("agenda.save")));
  }

  function switchForm(session) {
    if (!session.backup_room_ids.length) return null;
    const byId = new Map(state.rooms.map((r) => [r.id, r]));
    const room = h("select", { name: "backup_room" },
      options(session.backup_room_ids.map((id) => [id, byId.get(id)?.full_name || byId.get(id)?.name || id]), ""));
    const reason = h("input", { name: "reason", required: true });
    return h("form", { class: "card", onsubmit: async (event) => {
      event.preventDefault();
      try {
        await api.post(meetingPath(`/sessions/${session.id}/switch-room`), { room_id: room.value, reason: reason.value });
        toast(t("agenda.switched"), "ok");
        await refresh();
      } catch (error) {
        toast(error.message, "bad");
      }
    } }, h("h4", {}, t("agenda.switch")), field(t("agenda.backupRoom"), room), field(t("agenda.reason"), reason),
    h("button", { type: "submit" }, t("agenda.switchButton")));
  }
}

function seatTable(plan) {
  const rows = plan.seats.filter((seat) => seat.attendee_id).map((seat) => h("tr", { "data-attendee": seat.attendee_id },
    h("td", {}, seat.label), h("th", { scope: "row" }, seat.name), h("td", {}, seat.delegation || "")));
  return h("div", { class: "scroll" }, table(t("agenda.seatList", { room: plan.room_name }),
    [t("col.seat"), t("col.name"), t("col.delegation")], rows));
}
