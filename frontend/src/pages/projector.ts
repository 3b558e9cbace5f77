// /d/{id}/projector: the room's screen. Large high-contrast type, no controls; it follows
// the agenda by bringing the current item's section into view when the item changes.

import { h, replaceChildren } from "../dom";
import { renderSections, sectionDomId } from "../render";
import type { Snapshot } from "../source";
import type { AgendaItem } from "../types";
import { changed, type Page, type PageContext } from "./page";

export function projectorPage(ctx: PageContext): Page {
  const cache = new Map<string, string>();
  const title = h("h1", { class: "doc-title", attrs: { dir: "auto" } });
  const sections = h("div", { class: "sections" });
  replaceChildren(ctx.shell.main, h("article", { class: "doc" }, title, sections));
  let followed: number | null = null;

  return {
    update(snapshot: Snapshot, current: AgendaItem | null): void {
      const doc = snapshot.document;
      if (changed(cache, "title", doc.title)) {
        title.textContent = doc.title;
        window.document.title = `${doc.title} — Outcomes (projector)`;
      }
      const currentSection = current?.section_id ?? null;
      renderSections(sections, doc.sections, (s) => ({ current: s.id === currentSection }));
      if (currentSection !== null && currentSection !== followed) {
        const target = doc.sections.find((s) => s.id === currentSection);
        const el = target ? window.document.getElementById(sectionDomId(target)) : null;
        if (el) {
          el.scrollIntoView({ block: "start" });
          followed = currentSection;
        }
      }
    },
  };
}
