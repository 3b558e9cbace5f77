// How one input reads, on the group page and in the secretariat's inbox. Everything people
// typed goes in through textContent with dir="auto" (dom.ts, render.ts).

import { h } from "../dom";
import { autoDir } from "../render";
import type { Input } from "../types";
import { STATUS_TEXT, clock } from "./feed";

export function statusBadge(input: Input): HTMLElement {
  return h("span", {
    class: `input-status input-status-${input.status}`,
    attrs: { "data-status": input.status },
    text: STATUS_TEXT[input.status],
  });
}

/** "Group B · Rapporteur name · 14:05 → Section title". */
export function inputMeta(input: Input, timeZone: string, options: { group: boolean }): HTMLElement {
  const meta = h("p", { class: "input-meta" });
  if (options.group) meta.append(h("span", { class: "input-group", text: `Group ${input.group_code}` }), " · ");
  if (input.rapporteur) meta.append(autoDir("span", input.rapporteur, "input-rapporteur"), " · ");
  meta.append(
    h("time", { class: "input-time", attrs: { datetime: input.created_at }, text: clock(input.created_at, timeZone) }),
  );
  if (input.section_title) {
    meta.append(" → ", autoDir("span", input.section_title, "input-section"));
  }
  return meta;
}

/** What happened to a reviewed input: the reason, the duplicate, the text as accepted. */
export function inputOutcome(input: Input, timeZone: string): HTMLElement | null {
  const parts: HTMLElement[] = [];
  const by = input.reviewer ? ` by ${input.reviewer}` : "";
  const at = input.reviewed_at ? ` at ${clock(input.reviewed_at, timeZone)}` : "";
  if (input.status === "accepted") {
    parts.push(h("p", { class: "input-outcome-line", text: `Accepted${by}${at}.` }));
    if (input.accepted_text && input.accepted_text !== input.text) {
      parts.push(
        h("p", { class: "input-accepted-as" }, h("span", { class: "muted", text: "As recorded: " }), autoDir("span", input.accepted_text, "input-accepted-text")),
      );
    }
  } else if (input.status === "rejected" || input.status === "deferred") {
    parts.push(h("p", { class: "input-outcome-line", text: `${input.status === "rejected" ? "Rejected" : "Deferred"}${by}${at}.` }));
    if (input.reason) {
      parts.push(h("p", { class: "input-reason" }, h("span", { class: "muted", text: "Reason: " }), autoDir("span", input.reason, "input-reason-text")));
    }
  } else if (input.status === "duplicate") {
    parts.push(
      h("p", {
        class: "input-outcome-line",
        text: `Marked as a duplicate of input #${input.duplicate_of ?? "?"}${by}${at}.`,
      }),
    );
  } else if (input.status === "withdrawn") {
    parts.push(h("p", { class: "input-outcome-line", text: "Withdrawn by the rapporteur." }));
  }
  return parts.length ? h("div", { class: "input-outcome" }, ...parts) : null;
}
