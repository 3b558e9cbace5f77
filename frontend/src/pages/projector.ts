// /d/{id}/projector: the room's screen. Read-only (the server gives the projector a read-only
// connection), no controls, large high-contrast type. It follows the latest change: scrolls to
// the paragraph being written and highlights new text for a few seconds; sections agreed while
// it runs are marked. When the agenda moves on, it brings the new item's section into view.

import { h, isTyping, replaceChildren } from "../dom";
import { t } from "../i18n";
import { startOpenLinkOverlay } from "../joining/overlay";
import { LiveDocumentView } from "../render";
import { type AgendaItem, type Meeting, readProjector } from "../types";
import { type Page, type PageContext, showStatus } from "./page";

const HIGHLIGHT_MS = 4_000;

function highlight(el: HTMLElement, className: string, ms: number): void {
  el.classList.add(className);
  const timers = highlightTimers.get(el);
  if (timers !== undefined) clearTimeout(timers);
  highlightTimers.set(
    el,
    setTimeout(() => el.classList.remove(className), ms),
  );
}

const highlightTimers = new WeakMap<HTMLElement, ReturnType<typeof setTimeout>>();

function inView(el: HTMLElement, scroller: HTMLElement): boolean {
  const box = el.getBoundingClientRect();
  const frame = scroller.getBoundingClientRect();
  return box.top >= frame.top && box.bottom <= frame.bottom;
}

export async function projectorPage(ctx: PageContext): Promise<Page> {
  const title = h("h1", { class: "doc-title", attrs: { dir: "auto" }, text: ctx.session.documentTitle });
  window.document.title = t("projector.pageTitle", { title: ctx.session.documentTitle });
  const sections = h("div", { class: "sections", attrs: { "aria-live": "off" } });
  // The participants' board on the same screen: the B key (the link is for screen readers:
  // a projector shows no controls).
  const board = h("a", {
    class: "projector-board-link visually-hidden",
    attrs: { href: `/d/${ctx.documentId}/board`, "aria-keyshortcuts": "B" },
    text: t("projector.boardLink"),
  });
  replaceChildren(ctx.shell.main, h("article", { class: "doc" }, title, sections, board));
  startOpenLinkOverlay(ctx.session.meeting.id, window.document.body);
  window.addEventListener("keydown", (event) => {
    if (isTyping(event) || event.key.toLowerCase() !== "b") return;
    window.location.assign(`/d/${ctx.documentId}/board`);
  });

  const room = await ctx.openRoom(`doc-${ctx.documentId}`, { presence: false, serverMap: "sections" });
  showStatus(ctx, room, []);
  const scroller = ctx.shell.main;
  const view = new LiveDocumentView(sections, room.doc, {
    onChange(_section, blocks) {
      for (const block of blocks) highlight(block, "is-new", HIGHLIGHT_MS);
      const last = blocks[blocks.length - 1];
      if (last && !inView(last, scroller)) last.scrollIntoView({ block: "center", behavior: "smooth" });
    },
    onAgreed(section) {
      highlight(section, "just-agreed", HIGHLIGHT_MS);
    },
  });
  let followed: number | null = null;
  // The secretariat's choice (the room's `projector` map): whole document or the current
  // section only (the whole document while no agenda item has a section), and a type size.
  const settings = room.doc.getMap<unknown>("projector");
  let current: number | null = null;
  const apply = (): void => {
    const { mode, size } = readProjector(settings);
    const body = window.document.body;
    body.dataset["projectorMode"] = mode === "current" && current !== null ? "current" : "document";
    body.dataset["projectorSize"] = String(size);
  };
  settings.observe(apply);
  apply();

  const currentSection = (id: number | null): void => {
    current = id;
    apply();
  };

  return {
    agenda(_meeting: Meeting, current: AgendaItem | null): void {
      const sectionId = current?.section_id ?? null;
      view.setCurrent(sectionId);
      currentSection(sectionId);
      if (sectionId !== null && sectionId !== followed) {
        const el = view.sectionElement(sectionId);
        if (el) {
          el.scrollIntoView({ block: "start" });
          followed = sectionId;
        }
      }
    },
    unsaved: () => 0,
  };
}
