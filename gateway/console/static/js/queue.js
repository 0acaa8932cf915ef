// The door's scans, kept in localStorage until the API has answered each one. Every scan carries
// a nonce made once when it was scanned; the API counts a nonce once, so a scan sent twice (a
// response lost in a network drop, two tabs) is never counted twice.
import { ApiError, Offline, call, meetingPath, session } from "./api.js";

const RETRY_MS = 5000;

function key() { return `huiwu.station.queue.${session.meeting}`; }

export function pending() {
  try { return JSON.parse(localStorage.getItem(key())) || []; } catch { return []; }
}

function save(items) { localStorage.setItem(key(), JSON.stringify(items)); }

function nonce() {
  // getRandomValues works on plain http too (randomUUID needs a secure context).
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `scan-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

export class Station {
  constructor(onResult, onQueue) {
    this.onResult = onResult;  // (scan, answer | null, error | null)
    this.onQueue = onQueue;  // (length, offline)
    this.flushing = null;
    this.retry = setInterval(() => pending().length && this.flush(), RETRY_MS);
    this.online = () => this.flush();
    window.addEventListener("online", this.online);
  }

  stop() {
    clearInterval(this.retry);
    window.removeEventListener("online", this.online);
  }

  /** Keep the scan first (it survives a reload), then try to send everything waiting. */
  scan(fields) {
    const scan = { nonce: nonce(), scanned_at: new Date().toISOString(), ...fields };
    save([...pending(), scan]);
    this.onQueue(pending().length, false);
    return this.flush();
  }

  flush() {
    this.flushing ??= this.send().catch(() => false).then((drained) => {
      this.flushing = null;
      if (drained && pending().length) return this.flush();  // scanned while the last answer came
    });
    return this.flushing;
  }

  async send() {
    for (let scan = pending()[0]; scan; scan = pending()[0]) {
      const { scanned_at: _, ...body } = scan;
      let answer = null;
      let refusal = null;
      try {
        answer = await call("POST", meetingPath("/checkins"), { body });
      } catch (error) {
        if (!settled(error)) {
          this.onQueue(pending().length, true);
          return false;  // kept, in order: sent again when the network or the service is back
        }
        refusal = error;
      }
      save(pending().filter((kept) => kept.nonce !== scan.nonce));
      this.onQueue(pending().length, false);
      this.onResult(scan, answer, refusal);
    }
    return true;
  }
}

/** A refusal is the API's final word on the scan; anything else is worth another try. */
function settled(error) {
  if (error instanceof Offline || !(error instanceof ApiError)) return false;
  return error.status < 500 && ![401, 408, 429].includes(error.status);
}
