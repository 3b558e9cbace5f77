// /d/{id}: the secretariat's and chair's view of the whole outcome document. Read-only for
// now; the realtime editor mounts into the same section elements in a later stage.

import { api } from "../api";
import { h, replaceChildren } from "../dom";
import { autoDir, renderSections, sectionDomId } from "../render";
import type { Snapshot } from "../source";
import type { AgendaItem } from "../types";
import { changed, type Page, type PageContext } from "./page";

export function documentPage(ctx: PageContext): Page {
  const cache = new Map<string, string>();
  const title = h("h1", { class: "doc-title", attrs: { dir: "auto" } });
  const tools = h("nav", { class: "doc-tools", attrs: { "aria-label": "Views" } });
  const toc = h("ol", { class: "toc-list" });
  const sections = h("div", { class: "sections" });
  replaceChildren(
    ctx.shell.main,
    h(
      "div",
      { class: "doc-layout" },
      h(
        "aside",
        { class: "toc", attrs: { "aria-label": "Sections" } },
        h("h2", { class: "toc-heading", text: "Sections" }),
        toc,
      ),
      h("article", { class: "doc" }, h("div", { class: "doc-head" }, title, tools), sections),
    ),
  );

  return {
    update(snapshot: Snapshot, current: AgendaItem | null): void {
      const { document: doc, meeting } = snapshot;
      if (changed(cache, "title", doc.title)) {
        title.textContent = doc.title;
        window.document.title = `${doc.title} — Outcomes`;
      }
      if (changed(cache, "tools", [doc.id, meeting.groups.map((g) => g.code)])) {
        const link = (href: string, text: string): HTMLElement =>
          h("a", { class: "tool", attrs: { href }, text });
        replaceChildren(
          tools,
          link(api.markdownUrl(doc.id), "Markdown"),
          link(`/d/${doc.id}/projector`, "Projector view"),
          ...meeting.groups.map((g) =>
            link(`/d/${doc.id}/group/${encodeURIComponent(g.code)}`, `Group ${g.code}`),
          ),
        );
      }
      const currentSection = current?.section_id ?? null;
      const tocKey = doc.sections.map((s) => [s.id, s.title, s.id === currentSection]);
      if (changed(cache, "toc", tocKey)) {
        replaceChildren(
          toc,
          ...doc.sections.map((s) => {
            const a = autoDir("a", s.title);
            a.href = `#${sectionDomId(s)}`;
            if (s.id === currentSection) a.setAttribute("aria-current", "location");
            return h("li", { class: s.id === currentSection ? "is-current" : "" }, a);
          }),
        );
      }
      renderSections(sections, doc.sections, (s) => ({ current: s.id === currentSection }));
    },
  };
}
