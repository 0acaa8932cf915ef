// Times shown in Beijing time whatever the device's zone; sent back with +08:00.
import { lang } from "./i18n.js";

const ZONE = "Asia/Shanghai";

function formatter(options) {
  return new Intl.DateTimeFormat(lang() === "en" ? "en-GB" : "zh-CN", { timeZone: ZONE, hour12: false, ...options });
}

export function dateTime(value) {
  return value ? formatter({ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).format(new Date(value)) : "—";
}

export function time(value) {
  return value ? formatter({ hour: "2-digit", minute: "2-digit" }).format(new Date(value)) : "—";
}

/** "2027-01-12T14:00" as a datetime-local input shows it, in Beijing time. */
export function localInput(value) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-CA", {
    timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(value)).map((part) => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

export function fromLocalInput(text) {
  return `${text}:00+08:00`;
}
