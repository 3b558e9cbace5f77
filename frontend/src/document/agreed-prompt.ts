// Agreed means agreed (docs/protocol.md), on the secretariat's page: before its first edit of
// an Agreed section the page asks, above the section's text, whether to change agreed text
// (which returns the section to Draft, and the chair sees it). The server applies the rule
// whatever the page does; this question only keeps it from happening by accident.

import { h } from "../dom";
import { t } from "../i18n";
import { button } from "./controls";

/** The question with its two answers ("Edit anyway", focusable as `.agreed-edit`; "Cancel"). */
export function agreedPrompt(edit: () => void, cancel: () => void): HTMLElement {
  const yes = button(t("doc.agreedEdit"), "agreed-edit");
  const no = button(t("action.cancel"), "agreed-cancel");
  yes.addEventListener("click", edit);
  no.addEventListener("click", cancel);
  return h("div", { class: "agreed-prompt" }, h("p", { attrs: { role: "alert" }, text: t("doc.agreedPrompt") }), yes, no);
}
