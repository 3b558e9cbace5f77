// Agreed means agreed (docs/protocol.md), on the pages: before its first edit of an Agreed
// section the secretariat's page asks, above the section's text, whether to change agreed text
// (which returns the section to Draft, and the chair sees it); the chair confirms before marking
// a section agreed and may undo its own mark. The server applies the rules whatever the page
// does; these questions only keep them from being broken by accident.

import { h } from "../dom";
import { t } from "../i18n";
import type { SectionStatus } from "../types";
import { button } from "./controls";

/** The question with its two answers ("Edit anyway", focusable as `.agreed-edit`; "Cancel"). */
export function agreedPrompt(edit: () => void, cancel: () => void): HTMLElement {
  const yes = button(t("doc.agreedEdit"), "agreed-edit");
  const no = button(t("action.cancel"), "agreed-cancel");
  yes.addEventListener("click", edit);
  no.addEventListener("click", cancel);
  return h("div", { class: "agreed-prompt" }, h("p", { attrs: { role: "alert" }, text: t("doc.agreedPrompt") }), yes, no);
}

/** The chair's tool for a section: "Mark agreed" on a draft (two presses: the first, `arm`,
 * asks for confirmation on the button itself), "Undo agreed" on its own mark; else none. */
export function chairTool(
  status: SectionStatus,
  armed: boolean,
  markedByMe: boolean,
  actions: { arm(): void; set(status: SectionStatus): void },
): HTMLButtonElement | null {
  if (status === "draft") {
    const agree = button(armed ? t("doc.confirmAgreed") : t("doc.markAgreed"), "section-agree");
    if (armed) agree.classList.add("is-armed");
    agree.addEventListener("click", () => {
      if (!armed) {
        actions.arm();
        return;
      }
      agree.disabled = true;
      actions.set("agreed");
    });
    return agree;
  }
  if (status === "agreed" && markedByMe) {
    const undo = button(t("doc.undoAgreed"), "section-unagree");
    undo.addEventListener("click", () => {
      undo.disabled = true;
      actions.set("draft");
    });
    return undo;
  }
  return null;
}
