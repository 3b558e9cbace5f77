// /d/{id}/board: the participants' board of the open session (room board-{id}, see
// docs/protocol.md). Participants, rapporteurs and the secretariat post sticky notes into
// the board's columns from their phones (one column at a time there) and edit, move or delete
// their own, and vote in a voting round; the secretariat manages the columns and rounds,
// promotes a note into a section of the outcome document (REST, with provenance) and removes
// abusive or duplicate ones. The chair and the projector get a read-only wall (so does anyone with ?present).
// Notes typed offline stay in the room's IndexedDB copy and go out when the connection returns.

import { api, errorMessage } from "../api";
import { type CardContext, NoteCard } from "../board/card";
import { ColumnsView, UNSORTED } from "../board/columns";
import { ColumnManager } from "../board/manage";
import {
  type Column,
  type Note,
  type NoteValue,
  newNoteId,
  noteValue,
  readColumns,
  readMerged,
  readNotes,
  readPromotion,
} from "../board/notes";
import { PostForm } from "../board/post";
import { suggestionsPanel } from "../board/suggest";
import { RoundView } from "../board/voting";
import { h, isTyping, replaceChildren } from "../dom";
import { isolate, t, tBdi } from "../i18n";
import { readSections } from "../sections";
import type { Room } from "../sync/room";
import type { SectionMeta } from "../types";
import { type Page, type PageContext, showStatus } from "./page";

function countText(count: number): string {
  return t("board.count", { count });
}

export async function boardPage(ctx: PageContext): Promise<Page> {
  const { me, documentId, session } = ctx;
  const present =
    me.role === "chair" ||
    me.role === "projector" ||
    new URLSearchParams(window.location.search).has("present");
  const writer = !present && (me.role === "participant" || me.role === "rapporteur" || me.role === "secretariat");
  const moderator = writer && me.role === "secretariat";
  // The wall reuses the projector's big, high-contrast frame.
  if (present) window.document.body.classList.add("page-projector", "board-present");
  window.document.title = t("board.pageTitle", { title: isolate(session.documentTitle) });

  const count = h("p", { class: "board-count", attrs: { "aria-live": "polite" }, text: countText(0) });
  const links = h("nav", { class: "doc-tools board-links", attrs: { "aria-label": t("group.views") } });
  const link = (href: string, text: string): HTMLElement => h("a", { class: "tool", attrs: { href }, text });
  if (me.role === "projector") {
    links.append(link(`/d/${documentId}/projector`, t("board.documentKey")));
  } else {
    links.append(link(`/d/${documentId}`, t("doc.defaultTitle")));
    if (me.group_code) {
      const group = t("section.group", { group: me.group_code });
      links.append(link(`/d/${documentId}/group/${encodeURIComponent(me.group_code)}`, group));
    }
    if (present && me.role !== "chair") links.append(link(`/d/${documentId}/board`, t("board.postNotes")));
    if (!present && me.role === "secretariat") links.append(link(`/d/${documentId}/board?present`, t("board.wallView")));
  }
  const head = h(
    "div",
    { class: "board-head" },
    h("h1", { class: "board-title", text: t("board.name") }),
    h("p", { class: "board-subtitle muted", attrs: { dir: "auto" }, text: session.documentTitle }),
    count,
    links,
  );
  const view = new ColumnsView((id) => {
    if (form) form.column = id;
  });
  const empty = h("p", {
    class: "empty board-empty",
    text: writer ? t("board.emptyWriter") : t("board.empty"),
  });
  const formSlot = h("div", { class: "board-form-slot" });
  const manager = moderator ? new ColumnManager(documentId) : null;
  replaceChildren(
    ctx.shell.main,
    h(
      "article",
      { class: present ? "board board-wall" : "board" },
      head,
      manager?.el ?? null,
      moderator ? suggestionsPanel(documentId) : null,
      formSlot,
      empty,
      view.el,
    ),
  );

  const room: Room = await ctx.openRoom(`board-${documentId}`, { presence: false, serverMap: "promoted" });
  showStatus(ctx, room, writer ? [room] : []);
  const notes = room.doc.getMap<unknown>("notes");
  const promoted = room.doc.getMap<unknown>("promoted");
  const columnMap = room.doc.getMap<unknown>("columns");
  const mergedMap = room.doc.getMap<unknown>("merged");
  let latest: Note[] = [];
  // Who posted each anonymous note: the secretariat's REST view, fetched when one appears.
  const authors = new Map<string, string>();
  let asking = false;
  const learnAuthors = (): void => {
    if (!moderator || asking) return;
    const unknown = latest.some((n) => n.anonymous && !authors.has(n.id));
    if (!unknown) return;
    asking = true;
    api
      .boardAuthors(documentId)
      .then((board) => {
        for (const n of board.notes) {
          if (n.author_name) authors.set(n.id, n.author_name);
          // A note whose poster is not on record (posted by the console) is not asked for again.
          else authors.set(n.id, authors.get(n.id) ?? "");
        }
        schedule();
      })
      .catch(() => undefined)
      .finally(() => {
        asking = false;
      });
  };
  let columns: Column[] = readColumns(columnMap);
  let form: PostForm | null = null;
  const voter = writer && (me.role === "participant" || me.role === "rapporteur");
  const textOf = (id: string): string | null => {
    const value = notes.get(id) as { text?: unknown } | undefined;
    return typeof value?.text === "string" ? value.text : null;
  };

  const cards = new Map<string, NoteCard>();
  // The secretariat's promotion targets: the document room's live `sections` map.
  let sections: SectionMeta[] = [];
  if (moderator) {
    const docRoom = await ctx.openRoom(`doc-${documentId}`, { presence: false, serverMap: "sections" });
    const sectionMap = docRoom.doc.getMap<unknown>("sections");
    const readAll = (): void => {
      sections = readSections(sectionMap);
      for (const card of cards.values()) card.sectionsChanged();
    };
    sectionMap.observe(readAll);
    readAll();
  }

  const mayWrite = (): boolean => writer && !room.current.denied && !ctx.adoption.adopted;
  const cardContext: CardContext = {
    me: me.id,
    timeZone: session.meeting.time_zone,
    mayWrite,
    moderator,
    sections: () => sections,
    columns: () => columns,
    voting: (id) => round.voting(id),
    vote: (id) => void round.vote(id),
    merged: (id) => readMerged(mergedMap, id),
    authorName: (id) => authors.get(id) ?? null,
    others: (id) => latest.filter((n) => n.id !== id),
    async hide(id: string): Promise<void> {
      await api.hideNote(documentId, id).catch((err: unknown) => ctx.notify(errorMessage(err)));
    },
    async merge(keep: string, other: string): Promise<void> {
      await api.mergeNotes(documentId, keep, [other]);
    },
    save(id: string, value: NoteValue): void {
      notes.set(id, value);
    },
    remove(id: string): void {
      notes.delete(id);
    },
    async promote(id: string, sectionId: number, text: string | null): Promise<void> {
      await api.promoteNote(documentId, id, { section_id: sectionId, text });
      const title = sections.find((s) => s.id === sectionId)?.title;
      ctx.notify(title === undefined ? t("board.promotedToDocument") : tBdi("board.promoted", { title }));
    },
    async toInbox(id: string, sectionId: number, text: string | null): Promise<void> {
      await api.sendNoteToInbox(documentId, id, { section_id: sectionId, text });
      const title = sections.find((s) => s.id === sectionId)?.title ?? "";
      ctx.notify(tBdi("board.sentToInbox", { title }));
    },
  };

  function render(): void {
    columns = readColumns(columnMap);
    const known = new Set(columns.map((c) => c.id));
    const all = readNotes(notes);
    latest = all;
    learnAuthors();
    const seen = new Set<string>();
    const lanes = new Map<number, HTMLElement[]>();
    for (const note of all) {
      seen.add(note.id);
      const promotion = readPromotion(promoted, note.id);
      let card = cards.get(note.id);
      if (card) card.update(note, promotion);
      else {
        card = new NoteCard(note, promotion, cardContext);
        cards.set(note.id, card);
      }
      card.refresh(); // the columns it may move to may have changed
      const lane = note.column !== null && known.has(note.column) ? note.column : UNSORTED;
      lanes.set(lane, [...(lanes.get(lane) ?? []), card.el]);
    }
    for (const [id, card] of cards) {
      if (!seen.has(id)) {
        card.el.remove();
        cards.delete(id);
      }
    }
    view.show(columns, lanes);
    form?.columns(columns, view.current);
    manager?.show(columns);
    const text = countText(all.length);
    if (count.textContent !== text) count.textContent = text;
    empty.hidden = all.length > 0 || columns.length > 0;
  }

  let queued = false;
  const schedule = (): void => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      render();
    });
  };
  const round = new RoundView(documentId, room.doc.getMap<unknown>("round"), { voter, moderator }, textOf, () =>
    schedule(),
  );
  view.el.before(round.el);
  notes.observe(schedule);
  promoted.observe(schedule);
  columnMap.observe(schedule);
  mergedMap.observe(schedule);

  if (writer) {
    form = new PostForm((text, color, column, anonymous) => {
      if (!anonymous) {
        notes.set(newNoteId(), noteValue(me, text, color, column));
        return Promise.resolve();
      }
      // The server writes an anonymous note, so its author's id never enters the room.
      return api.postAnonymous(documentId, { text: text.trim(), color, column }).then(() => undefined);
    });
    formSlot.replaceWith(form.el);
    form.onColumn = (id) => view.choose(id);
  }

  const adopted = (): void => {
    if (form) form.el.hidden = !mayWrite();
    for (const card of cards.values()) card.refresh();
  };
  ctx.adoption.on(adopted);
  adopted();
  let wasDenied = room.current.denied;
  room.onStatus((status) => {
    if (status.denied === wasDenied) return;
    wasDenied = status.denied;
    if (status.denied && writer) {
      ctx.notify(t("board.refused"));
      form?.el.remove();
      for (const card of cards.values()) card.refresh();
    }
  });
  render();

  // The wall: D goes back to the projector's document, for a presenter with a keyboard.
  if (me.role === "projector") {
    window.addEventListener("keydown", (event) => {
      if (isTyping(event) || event.key.toLowerCase() !== "d") return;
      window.location.assign(`/d/${documentId}/projector`);
    });
  }

  return {
    agenda(): void {
      // The board does not follow the agenda.
    },
    unsaved: () => (writer ? room.unsaved : 0),
  };
}
