// What the document page's controls share: a plain button, a refused request as a sentence, and
// redrawing a section's tools without losing the keyboard's place.

import { ApiError } from "../api";
import { h, replaceChildren } from "../dom";
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

/** Draw a section's tools again (on every structure change): the control that had the focus (a
 * move button just pressed) keeps it, or its neighbour when it is now disabled (at an end). */
export function replaceTools(tools: HTMLElement, items: HTMLElement[]): void {
  const focused = tools.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
  const kind = focused ? [...focused.classList].find((c) => c.startsWith("section-")) : undefined;
  replaceChildren(tools, ...items);
  if (!kind) return;
  const again = tools.querySelector<HTMLButtonElement>(`.${kind}`);
  const other = kind === "section-up" ? ".section-down" : kind === "section-down" ? ".section-up" : null;
  const target = again && !again.disabled ? again : other ? tools.querySelector<HTMLButtonElement>(other) : null;
  target?.focus();
}
