// Sign in: paste a gateway token; the gateway says what it may do (GET /api/v1/tokens/me). A token
// for one meeting goes straight in, a kiosk's to the station; any other chooses the meeting.
import { ApiError, call, session } from "../api.js";
import { field, h, options, replace } from "../dom.js";
import { t } from "../i18n.js";

export function render(view, signedIn) {
  const token = h("input", { type: "password", name: "token", autocomplete: "off", required: true, spellcheck: "false" });
  const message = h("p", { class: "error", role: "alert" });
  const next = h("button", { type: "submit", class: "primary" }, t("signin.next"));
  const form = h("form", { class: "card narrow", onsubmit: (event) => { event.preventDefault(); chooseMeeting(); } },
    h("h2", {}, t("signin.title")),
    h("p", {}, t("signin.intro")),
    field(t("signin.token"), token, t("signin.tokenHint")),
    message, next);
  replace(view, form);
  token.focus();

  async function chooseMeeting() {
    message.textContent = "";
    next.disabled = true;
    try {
      const me = await whoAmI(token.value.trim());
      if (me.meeting_id) {  // a token for one meeting (every kiosk's is) has nothing to choose
        session.start(token.value.trim(), me.meeting_id, me.kind === "kiosk");
        signedIn();
        return;
      }
      showChoice(await listMeetings(token.value.trim()));
    } catch (error) {
      message.textContent = error.message;
    } finally {
      next.disabled = false;
    }
  }

  function showChoice(meetings) {
    const wanted = new URLSearchParams(location.search).get("meeting") || session.lastMeeting();
    const control = meetings
      ? h("select", { name: "meeting", required: true },
          options(meetings.map((m) => [m.id, `${m.name}（${m.starts_on} – ${m.ends_on}）`]), wanted))
      : h("input", { name: "meeting", required: true, value: wanted, spellcheck: "false" });
    const enter = h("button", { type: "submit", class: "primary" }, t("signin.enter"));
    const choice = h("form", { class: "card narrow", onsubmit: (event) => { event.preventDefault(); enterMeeting(control.value.trim(), enter); } },
      h("h2", {}, t("signin.meeting")),
      meetings ? null : h("p", {}, t("signin.oneMeeting")),
      field(t("signin.meeting"), control),
      message, enter);
    replace(view, choice);
    control.focus();
  }

  async function enterMeeting(meetingId, button) {
    message.textContent = "";
    button.disabled = true;
    try {
      await meetingExists(token.value.trim(), meetingId);
      session.start(token.value.trim(), meetingId, false);
      signedIn();
    } catch (error) {
      message.textContent = error.message;
      button.disabled = false;
    }
  }
}

/** What the token may do: its kind and, for a token of one meeting, which. */
async function whoAmI(token) {
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error(t("signin.badToken"));  // tokens are printable ASCII
  try {
    return await call("GET", "/api/v1/tokens/me", { token });
  } catch (error) {
    throw explained(error);
  }
}

/** The meetings the token may list, or null for a token that may not list them. */
async function listMeetings(token) {
  try {
    return (await call("GET", "/api/v1/meetings", { token, query: { limit: 100 } })).items;
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return null;
    throw explained(error);
  }
}

/** A wrong id is caught here; a token that may not read registration's meeting goes on (each
 * page then says what it cannot show). */
async function meetingExists(token, meetingId) {
  try {
    await call("GET", `/api/v1/meetings/${encodeURIComponent(meetingId)}`, { token });
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 403)) throw explained(error);
  }
}

function explained(error) {
  if (error instanceof ApiError && error.status === 401) return new Error(t("signin.badToken"));
  if (error instanceof ApiError && error.status === 404) return new Error(t("signin.noMeeting"));
  return error;
}
