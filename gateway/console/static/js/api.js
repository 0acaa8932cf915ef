// Every call to the gateway's /api/v1 with the signed-in token; a 401 sends the user back to sign in.
import { t } from "./i18n.js";

const TOKEN = "huiwu.console.token";
const MEETING = "huiwu.console.meeting";
const KIOSK = "huiwu.console.kiosk";

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get meeting() { return sessionStorage.getItem(MEETING); },
  get kiosk() { return sessionStorage.getItem(KIOSK) === "1"; },
  start(token, meeting, kiosk) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(MEETING, meeting);
    sessionStorage.setItem(KIOSK, kiosk ? "1" : "0");
    localStorage.setItem(MEETING, meeting);  // offered again at the next sign-in on this device
  },
  end() { for (const key of [TOKEN, MEETING, KIOSK]) sessionStorage.removeItem(key); },
  lastMeeting() { return localStorage.getItem(MEETING) || ""; },
};

export class ApiError extends Error {
  constructor(status, problem) {
    super(describe(status, problem));
    this.status = status;
    this.problem = problem;
  }
}

export class Offline extends Error {}

function describe(status, problem) {
  const fields = (problem.errors || []).map((error) => `${error.field}: ${error.message}`);
  const main = problem.detail || problem.title || t("error.status", { status });
  return fields.length ? `${main}（${fields.join("；")}）` : main;
}

/** A call with an explicit token (sign-in tries one before keeping it). */
export async function call(method, path, { body, query, token = session.token, headers = {}, raw = false } = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") url.searchParams.set(name, value);
  }
  const init = { method, headers: { Authorization: `Bearer ${token}`, Accept: "application/json", ...headers } };
  if (body instanceof Blob || body instanceof ArrayBuffer) init.body = body;
  else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new Offline(t("error.offline"));
  }
  if (response.status === 401 && token === session.token) {
    session.end();
    window.dispatchEvent(new CustomEvent("huiwu:signed-out"));
  }
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch { /* not problem+json: the status says it */ }
    throw new ApiError(response.status, problem);
  }
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

export const api = {
  get: (path, query) => call("GET", path, { query }),
  post: (path, body, query) => call("POST", path, { body, query }),
  patch: (path, body) => call("PATCH", path, { body }),
};

export function meetingPath(rest = "") {
  return `/api/v1/meetings/${encodeURIComponent(session.meeting)}${rest}`;
}

/** Every page of a cursor-paginated list. */
export async function all(path, query = {}) {
  const items = [];
  let cursor;
  do {
    const page = await api.get(path, { ...query, limit: 500, cursor });
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** A file (XLSX, PDF) from the API, saved under the name the service gave it. */
export async function download(path) {
  const response = await call("GET", path, { raw: true, headers: { Accept: "*/*" } });
  const disposition = response.headers.get("Content-Disposition") || "";
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const name = encoded ? decodeURIComponent(encoded[1]) : plain ? plain[1] : path.split("/").pop();
  const url = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
