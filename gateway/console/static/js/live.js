// The gateway's event stream (Server-Sent Events) read with fetch, since EventSource cannot send
// the Authorization header. One connection for the console; each page listens while it is shown.
import { session } from "./api.js";

const RETRY_MS = 2000;
const listeners = new Set();
let controller = null;
let lastId = null;
let onState = () => {};

export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function start(stateChanged) {
  stop();
  onState = stateChanged;
  controller = new AbortController();
  run(controller.signal);
}

export function stop() {
  controller?.abort();
  controller = null;
  lastId = null;
}

async function run(signal) {
  while (!signal.aborted) {
    try {
      await read(signal);
    } catch (error) {
      if (signal.aborted) return;
    }
    onState("reconnecting");
    await new Promise((resume) => setTimeout(resume, RETRY_MS));
  }
}

async function read(signal) {
  const url = new URL("/api/v1/events/stream", location.origin);
  url.searchParams.set("meeting", session.meeting);
  const headers = { Authorization: `Bearer ${session.token}`, Accept: "text/event-stream" };
  if (lastId) headers["Last-Event-ID"] = lastId;  // resume right after what was seen
  const response = await fetch(url, { headers, signal, cache: "no-store" });
  if (!response.ok) throw new Error(`event stream: ${response.status}`);
  onState("live");
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    const frames = buffer.split(/\r?\n\r?\n/);
    buffer = frames.pop();
    frames.forEach(dispatch);
  }
}

function dispatch(frame) {
  const data = [];
  for (const line of frame.split(/\r?\n/)) {
    if (line.startsWith("id:")) lastId = line.slice(3).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return;  // a heartbeat or the starting cursor
  const event = JSON.parse(data.join("\n"));
  for (const listener of listeners) listener(event);
}

/** Calls ``refresh`` once after a burst of events (a door rush is many events a second). */
export function debounced(refresh, waitMs = 300) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, waitMs);
  };
}
