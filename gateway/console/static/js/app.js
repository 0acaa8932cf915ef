// The console's shell: sign-in, the menu, one view at a time (#/page), the language switch.
import { ApiError, api, meetingPath, session } from "./api.js";
import { lang, setLang, t, translateStatic } from "./i18n.js";
import * as live from "./live.js";
import { replace } from "./dom.js";
import * as signin from "./views/signin.js";
import * as dashboard from "./views/dashboard.js";
import * as roster from "./views/roster.js";
import * as station from "./views/station.js";
import * as agenda from "./views/agenda.js";
import * as documents from "./views/documents.js";
import * as supervision from "./views/supervision.js";

const PAGES = { dashboard, roster, station, agenda, documents, supervision };
const view = document.getElementById("view");
let leave = null;  // the shown view's clean-up (timers, listeners)
let started = false;

function page() {
  const name = location.hash.replace(/^#\//, "").split("?")[0];
  if (session.kiosk) return "station";  // a door tablet's token can do nothing else
  return name in PAGES ? name : "dashboard";
}

function show() {
  leave?.();
  leave = null;
  const signedIn = Boolean(session.token && session.meeting);
  document.getElementById("nav").hidden = !signedIn || session.kiosk;
  document.getElementById("sign-out").hidden = !signedIn;
  if (!signedIn) {
    stopLive();
    document.getElementById("meeting-name").textContent = "";
    leave = signin.render(view, () => { location.hash = session.kiosk ? "#/station" : "#/dashboard"; show(); });
    return;
  }
  if (!started) begin();
  const name = page();
  for (const link of document.querySelectorAll("#nav a")) {
    if (link.dataset.page === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  replace(view);
  leave = PAGES[name].render(view) || null;
  view.focus({ preventScroll: true });
}

function begin() {
  started = true;
  if (session.kiosk) {
    document.getElementById("meeting-name").textContent = t("station.title");
    return;
  }
  api.get(meetingPath()).then((meeting) => {
    document.getElementById("meeting-name").textContent = meeting.name;
  }, () => {});
  live.start((state) => {
    const badge = document.getElementById("live");
    badge.hidden = false;
    badge.dataset.state = state;
    badge.textContent = t(`live.${state}`);
  });
}

function stopLive() {
  started = false;
  live.stop();
  document.getElementById("live").hidden = true;
}

document.getElementById("lang").addEventListener("click", () => {
  setLang(lang() === "en" ? "zh-CN" : "en");
  updateLangButton();
  const meetingName = document.getElementById("meeting-name").textContent;
  show();
  if (meetingName && !session.kiosk) document.getElementById("meeting-name").textContent = meetingName;
});

document.getElementById("sign-out").addEventListener("click", () => {
  session.end();
  location.hash = "";
  show();
});

function updateLangButton() {
  const button = document.getElementById("lang");
  const toEnglish = lang() !== "en";
  button.textContent = toEnglish ? "English" : "中文";
  button.lang = toEnglish ? "en" : "zh-CN";
}

window.addEventListener("hashchange", show);
window.addEventListener("huiwu:signed-out", () => show());
window.addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof ApiError && event.reason.status === 401) event.preventDefault();
});

setLang(lang());
updateLangButton();
translateStatic();
show();
