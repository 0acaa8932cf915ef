// 签到台: a door tablet. A scanner types the badge into the big field (or the camera reads the QR
// where the browser has BarcodeDetector); the answer is a large green or red panel with the name
// (and the seat, when the token may read venue's seating). Scans wait in the queue through a
// network drop and are sent when it returns.
import { api, meetingPath, session } from "../api.js";
import { field, h, options, replace } from "../dom.js";
import { time } from "../format.js";
import { t } from "../i18n.js";
import { Station, pending } from "../queue.js";
import { categoryLabel } from "./common.js";

const GATE = "huiwu.station.gate";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RECENT = 8;
const REASONS = ["forged", "revoked", "other_meeting", "unknown_attendee"];  // the API's refusals
const CAMERA_EVERY_MS = 400;

export function render(view) {
  const scanInput = h("input", { name: "badge", class: "scan-input", autocomplete: "off", spellcheck: "false",
    autocapitalize: "off", enterkeyhint: "go" });
  const gate = h("input", { name: "gate", value: localStorage.getItem(GATE) || t("station.defaultGate"),
    onchange: () => localStorage.setItem(GATE, gate.value.trim()) });
  const direction = h("select", { name: "direction" }, options([["in", t("station.in")], ["out", t("station.out")]], "in"));
  const answer = h("div", { class: "answer idle", role: "status", "aria-live": "assertive", "aria-atomic": "true" },
    h("p", { class: "answer-main" }, t("station.ready")));
  const queueBadge = h("p", { class: "queue", role: "status", "data-queue": "0" });
  const recent = h("ol", { class: "recent", "aria-label": t("station.recent") });
  const camera = cameraControl((value) => submit(value));

  const station = new Station(shown, showQueue);
  replace(view,
    h("div", { class: "station" },
      h("form", { class: "scan", onsubmit: (event) => { event.preventDefault(); submit(scanInput.value); } },
        field(t("station.scanLabel"), scanInput, t("station.scanHint")),
        h("div", { class: "row" }, field(t("station.gate"), gate), field(t("station.direction"), direction),
          h("button", { type: "submit", class: "primary" }, t("station.submit")), camera.button)),
      camera.video, answer, queueBadge, h("h3", {}, t("station.recent")), recent));
  showQueue(pending().length, !navigator.onLine);
  scanInput.focus();
  station.flush();  // scans left from before a reload

  function submit(raw) {
    const value = raw.trim();
    scanInput.value = "";
    scanInput.focus();
    if (!value) return;
    const who = UUID.test(value) ? { attendee_id: value } : { badge: value };
    station.scan({ ...who, gate: gate.value.trim() || null, direction: direction.value });
  }

  function showQueue(length, offline) {
    queueBadge.dataset.queue = String(length);
    queueBadge.className = `queue ${length ? "waiting" : ""}`;
    queueBadge.textContent = length ? t(offline ? "station.queuedOffline" : "station.queued", { count: length }) : t("station.queueEmpty");
    if (offline && length) paint("queued", t("station.saved"), t("station.savedDetail", { count: length }));
  }

  function shown(scan, result, refusal) {
    if (refusal) {
      const reason = REASONS.includes(refusal.problem.reason) ? refusal.problem.reason : "other";
      paint("refused", t(`station.refused.${reason}`), refusal.message);
      remember("refused", t(`station.refused.${reason}`), scan);
      return;
    }
    const leaving = result.direction === "out";
    const headline = leaving ? t("station.signedOut", { name: result.name })
      : result.repeat ? t("station.again", { name: result.name }) : t("station.welcome", { name: result.name });
    const detail = [result.organization, categoryLabel(result.category),
      result.repeat && result.first_checked_in_at ? t("station.firstAt", { time: time(result.first_checked_in_at) }) : null]
      .filter(Boolean).join(" · ");
    paint("accepted", headline, detail, result.name);
    remember("accepted", result.name, scan);
    if (!session.kiosk) seatOf(result.attendee_id).then((seat) => seat && addSeat(result.name, seat));
  }

  function paint(tone, headline, detail, name) {
    answer.className = `answer ${tone}`;
    answer.dataset.name = name || "";
    replace(answer, h("p", { class: "answer-mark", "aria-hidden": "true" }, tone === "accepted" ? "✓" : tone === "refused" ? "✗" : "…"),
      h("p", { class: "answer-main" }, headline), h("p", { class: "answer-detail" }, detail || ""));
  }

  function addSeat(name, seat) {
    if (answer.dataset.name !== name) return;  // the next scan is already shown
    answer.append(h("p", { class: "answer-seat" }, t("station.seat", { session: seat.session_title, seat: seat.seat.label })));
  }

  function remember(tone, text, scan) {
    recent.prepend(h("li", { class: tone }, `${time(scan.scanned_at)} ${text}`));
    while (recent.children.length > RECENT) recent.lastChild.remove();
  }

  return () => { station.stop(); camera.stop(); };
}

/** The seat at the session under way or next, if the token may ask venue (a kiosk may not). */
async function seatOf(attendeeId) {
  try {
    const seats = await api.get(meetingPath(`/attendees/${attendeeId}/seats`));
    const soon = Date.now() - 2 * 3600 * 1000;
    return seats.find((s) => s.seat && new Date(s.starts_at).getTime() >= soon) || null;
  } catch {
    return null;
  }
}

function cameraControl(found) {
  const video = h("video", { class: "camera", playsinline: true, muted: true, hidden: true });
  let stream = null;
  let timer = null;
  let last = { value: "", at: 0 };
  const supported = "BarcodeDetector" in window && navigator.mediaDevices?.getUserMedia;
  const button = supported ? h("button", { type: "button", onclick: toggle }, t("station.camera")) : null;

  async function toggle() {
    if (stream) { stop(); return; }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
    } catch {
      button.textContent = t("station.noCamera");
      return;
    }
    const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    button.textContent = t("station.cameraOff");
    timer = setInterval(async () => {
      const codes = await detector.detect(video).catch(() => []);
      const value = codes[0]?.rawValue;
      if (value && (value !== last.value || Date.now() - last.at > 3000)) {  // one badge held up = one scan
        last = { value, at: Date.now() };
        found(value);
      }
    }, CAMERA_EVERY_MS);
  }

  function stop() {
    clearInterval(timer);
    stream?.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
    if (button) button.textContent = t("station.camera");
  }

  return { button, video, stop };
}
