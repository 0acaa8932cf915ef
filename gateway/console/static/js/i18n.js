// UI text: zh-CN first, English on request; the choice is kept on this device.
import zh from "../i18n/zh-CN.js";
import en from "../i18n/en.js";

const DICTIONARIES = { "zh-CN": zh, en };
const KEY = "huiwu.console.lang";
let language = localStorage.getItem(KEY) in DICTIONARIES ? localStorage.getItem(KEY) : "zh-CN";

export function lang() { return language; }

export function setLang(next) {
  language = next;
  localStorage.setItem(KEY, next);
  document.documentElement.lang = next;
  translateStatic();
}

export function t(key, values = {}) {
  const text = DICTIONARIES[language][key] ?? zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

export function translateStatic(root = document) {
  for (const element of root.querySelectorAll("[data-i18n]")) element.textContent = t(element.dataset.i18n);
  for (const element of root.querySelectorAll("[data-i18n-label]")) {
    element.setAttribute("aria-label", t(element.dataset.i18nLabel));
  }
  document.title = t("brand");
}
