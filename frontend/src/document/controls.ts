// What the document page's controls share: a plain button and a refused request as a sentence.

import { ApiError } from "../api";
import { h } from "../dom";
import { t } from "../i18n";

export function button(text: string, className: string, attrs: Record<string, string> = {}): HTMLButtonElement {
  return h("button", { class: `button ${className}`, attrs: { type: "button", ...attrs }, text });
}

export function describe(err: unknown): string {
  if (err instanceof ApiError) {
    // Only a stale version means someone changed it meanwhile; a locked section (409 too) does not.
    if (err.status === 409 && err.code === "stale_version") return t("doc.conflict", { detail: err.detail });
    return err.detail;
  }
  return String(err);
}
