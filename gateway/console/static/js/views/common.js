// Pieces the pages share: a section that may be unavailable, error text, a page header.
import { ApiError } from "../api.js";
import { h } from "../dom.js";
import { t } from "../i18n.js";

export function heading(title, ...actions) {
  return h("div", { class: "page-head" }, h("h2", {}, title), h("div", { class: "actions" }, actions));
}

export function unavailable(status, reason) {
  const text = t(`section.${status}`);
  return h("p", { class: "muted", "data-section-status": status }, reason ? `${text}：${reason}` : text);
}

export function failure(error) {
  if (error instanceof ApiError && error.status === 403) return h("p", { class: "error", role: "alert" }, t("error.forbidden"));
  return h("p", { class: "error", role: "alert" }, error.message);
}

export function card(title, ...content) {
  return h("section", { class: "card" }, h("h3", {}, title), content);
}

export function categoryLabel(category) { return t(`category.${category}`); }
