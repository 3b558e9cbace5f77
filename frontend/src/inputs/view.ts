// How one input reads, on the group page and in the secretariat's inbox. Everything people
// typed goes in through textContent with dir="auto" (dom.ts, render.ts).

import { h } from "../dom";
import { bdi, t, tNodes } from "../i18n";
import { autoDir } from "../render";
import type { Input } from "../types";
import { STATUS_TEXT, clock } from "./feed";

export function statusBadge(input: Input): HTMLElement {
  return h("span", {
    class: `input-status input-status-${input.status}`,
    attrs: { "data-status": input.status },
    text: t(STATUS_TEXT[input.status]),
  });
}

/** "Group B · Rapporteur name · 14:05 → Section title". */
export function inputMeta(input: Input, timeZone: string, options: { group: boolean }): HTMLElement {
  const meta = h("p", { class: "input-meta" });
  if (input.origin === "board") {
    // A board note: its authors, not the secretariat member who sent it here.
    meta.append(h("span", { class: "input-group input-board", text: t("input.fromBoard") }), " · ");
    for (const name of input.board_authors ?? []) meta.append(autoDir("span", name, "input-author"), " · ");
  } else {
    if (options.group) {
      meta.append(h("span", { class: "input-group", text: t("section.group", { group: input.group_code ?? "" }) }), " · ");
    }
    if (input.rapporteur) meta.append(autoDir("span", input.rapporteur, "input-rapporteur"), " · ");
  }
  meta.append(
    h("time", { class: "input-time", attrs: { datetime: input.created_at }, text: clock(input.created_at, timeZone) }),
  );
  if (input.section_title) {
    meta.append(t("input.toSection"), autoDir("span", input.section_title, "input-section"));
  }
  return meta;
}

/** What happened to a reviewed input: the reason, the duplicate, the text as accepted. */
export function inputOutcome(input: Input, timeZone: string): HTMLElement | null {
  const parts: HTMLElement[] = [];
  // "Rejected by NAME at HH:MM.": the name is a <bdi>, so no character in it (U+202E, say)
  // can reorder the words and the time around it.
  const values = {
    who: input.reviewer ? "yes" : "no",
    name: bdi(input.reviewer ?? "", "input-reviewer"),
    when: input.reviewed_at ? "yes" : "no",
    time: h("time", { attrs: { datetime: input.reviewed_at ?? "" }, text: clock(input.reviewed_at, timeZone) }),
    input: String(input.duplicate_of ?? "?"),
  };
  const line = (key: Parameters<typeof tNodes>[0]): HTMLElement =>
    h("p", { class: "input-outcome-line" }, ...tNodes(key, values));
  if (input.status === "accepted") {
    parts.push(line("input.outcome.accepted"));
    if (input.accepted_text && input.accepted_text !== input.text) {
      parts.push(
        h(
          "p",
          { class: "input-accepted-as" },
          h("span", { class: "muted", text: t("input.asRecorded") }),
          autoDir("span", input.accepted_text, "input-accepted-text"),
        ),
      );
    }
  } else if (input.status === "rejected" || input.status === "deferred") {
    parts.push(line(input.status === "rejected" ? "input.outcome.rejected" : "input.outcome.deferred"));
    if (input.reason) {
      parts.push(
        h(
          "p",
          { class: "input-reason" },
          h("span", { class: "muted", text: t("input.reason") }),
          autoDir("span", input.reason, "input-reason-text"),
        ),
      );
    }
  } else if (input.status === "duplicate") {
    parts.push(line("input.outcome.duplicate"));
  } else if (input.status === "withdrawn") {
    parts.push(h("p", { class: "input-outcome-line", text: t("input.outcome.withdrawn") }));
  }
  return parts.length ? h("div", { class: "input-outcome" }, ...parts) : null;
}
