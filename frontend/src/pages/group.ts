// /d/{id}/group/{code}: a breakout group's page, made for phones. It shows the group's own
// section of the outcome document, which the group's rapporteur reports back to plenary.

import { h, replaceChildren } from "../dom";
import { autoDir, renderSections } from "../render";
import type { Snapshot } from "../source";
import type { AgendaItem } from "../types";
import { changed, type Page, type PageContext } from "./page";

export function groupPage(ctx: PageContext, groupCode: string): Page {
  const cache = new Map<string, string>();
  const head = h("div", { class: "group-head" });
  const sections = h("div", { class: "sections" });
  const notice = h("div", { class: "group-notice" });
  const footer = h("p", { class: "group-footer" });
  if (ctx.me.role !== "projector") {
    footer.append(
      h("a", { attrs: { href: `/d/${ctx.documentId}` }, text: "Read the whole outcome document" }),
    );
  }
  replaceChildren(ctx.shell.main, h("article", { class: "group" }, head, notice, sections, footer));

  return {
    update(snapshot: Snapshot, _current: AgendaItem | null): void {
      const { meeting, document: doc } = snapshot;
      const group = meeting.groups.find((g) => g.code === groupCode) ?? null;
      if (changed(cache, "head", group)) {
        if (group) {
          replaceChildren(
            head,
            h("p", { class: "group-code", text: `Breakout group ${group.code}` }),
            autoDir("h1", group.name, "group-name"),
            group.facilitator
              ? h(
                  "p",
                  { class: "group-facilitator" },
                  h("span", { class: "muted", text: "Facilitator: " }),
                  autoDir("span", group.facilitator),
                )
              : null,
          );
          window.document.title = `Group ${group.code}: ${group.name} — Outcomes`;
        } else {
          replaceChildren(
            head,
            h("h1", { class: "group-name", text: `No breakout group “${groupCode}”` }),
          );
        }
      }
      const own = doc.sections.filter((s) => s.group_code === groupCode);
      const message =
        group === null
          ? "This meeting has no breakout group with that letter."
          : own.length === 0
            ? "The outcome document has no section for this group yet."
            : "";
      if (changed(cache, "notice", message)) {
        replaceChildren(notice, message ? h("p", { class: "empty", text: message }) : null);
      }
      renderSections(sections, own, () => ({}));
    },
  };
}
