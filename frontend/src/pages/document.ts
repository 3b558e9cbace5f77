// /d/{id}: the outcome document. The secretariat edits every section in place (CodeMirror bound
// to the section's Y.Text, the other recorders' cursors with their names), adds, renames, moves
// sections and sets their status, saves named checkpoints and opens each section's history.
// The chair and participants see the same live document read-only (the server gives them
// read-only connections); the chair can mark a draft section agreed.
// This module lays the page out and wires its parts (src/document/): the sections, the
// secretariat's forms, the provenance markers and the inbox.

import { api } from "../api";
import { adoptionControls } from "../closing/adopt";
import { exportMenu } from "../closing/export";
import { VersionsPanel } from "../closing/versions";
import { addSectionForm, checkpointForm } from "../document/forms";
import { mountInbox } from "../document/inbox";
import { DocumentProvenance } from "../document/provenance";
import { SectionList } from "../document/section-view";
import { h, replaceChildren } from "../dom";
import { joiningPanel } from "../joining/panel";
import { autoDir } from "../render";
import type { Room } from "../sync/room";
import type { AgendaItem, Meeting } from "../types";
import { type Page, type PageContext, showStatus } from "./page";

export async function documentPage(ctx: PageContext): Promise<Page> {
  const { me, documentId } = ctx;
  const isSecretariat = me.role === "secretariat";
  const isChair = me.role === "chair";

  const title = autoDir("h1", ctx.session.documentTitle, "doc-title");
  window.document.title = `${ctx.session.documentTitle} — Outcomes`;
  const tools = h("nav", { class: "doc-tools", attrs: { "aria-label": "Views" } });
  const link = (href: string, text: string): HTMLElement =>
    h("a", { class: "tool", attrs: { href }, text });
  tools.append(
    link(api.markdownUrl(documentId), "Markdown"),
    link(`/d/${documentId}/projector`, "Projector view"),
    link(`/d/${documentId}/board`, "Board"),
    ...ctx.session.meeting.groups.map((g) =>
      link(`/d/${documentId}/group/${encodeURIComponent(g.code)}`, `Group ${g.code}`),
    ),
  );
  const toc = h("ol", { class: "toc-list" });
  const sectionsEl = h("div", { class: "sections" });
  const head = h("div", { class: "doc-head" }, title, tools, adoptionControls(ctx.adoption, me, documentId, ctx.notify));
  const article = h("article", { class: "doc" }, head, sectionsEl);
  const showsInbox = isSecretariat || isChair;
  if (showsInbox) tools.append(exportMenu(documentId));
  const inboxSlot = h("div", { class: "inbox-slot" });
  replaceChildren(
    ctx.shell.main,
    h(
      "div",
      { class: showsInbox ? "doc-layout has-inbox" : "doc-layout" },
      h(
        "aside",
        { class: "toc", attrs: { "aria-label": "Sections" } },
        h("h2", { class: "toc-heading", text: "Sections" }),
        toc,
      ),
      article,
      showsInbox ? inboxSlot : null,
    ),
  );

  if (showsInbox) {
    const options = { documentId, timeZone: ctx.session.meeting.time_zone, live: sectionsEl, notify: ctx.notify };
    const versions = new VersionsPanel({ ...options, canSave: isSecretariat });
    tools.append(versions.toggle);
    head.after(versions.el);
  }

  if (isSecretariat) {
    head.append(checkpointForm(documentId, ctx.notify), joiningPanel(ctx.session.meeting.id, ctx.notify));
    article.append(addSectionForm(documentId, ctx.notify));
  }

  const room: Room = await ctx.openRoom(`doc-${documentId}`, {
    presence: me.role !== "projector",
    serverMap: "sections",
  });
  showStatus(ctx, room, isSecretariat ? [room] : []);
  const timeZone = ctx.session.meeting.time_zone;
  const provenance = new DocumentProvenance(documentId, timeZone, () => sections.showProvenance());
  const sections = new SectionList({
    documentId,
    room,
    list: sectionsEl,
    toc,
    isSecretariat,
    isChair,
    canWrite: () => isSecretariat && !room.current.denied && !ctx.adoption.adopted,
    provenance: (id) => provenance.of(id),
    notify: ctx.notify,
  });
  const structure = (): void => sections.structure();

  room.doc.getMap<unknown>("sections").observe(structure);
  ctx.adoption.on(structure);
  let wasDenied = room.current.denied;
  room.onStatus((status) => {
    if (status.denied !== wasDenied) {
      wasDenied = status.denied;
      structure();
    }
  });
  structure();
  provenance.load();

  if (showsInbox) {
    mountInbox(inboxSlot, {
      me,
      meetingId: ctx.session.meeting.id,
      timeZone,
      groups: ctx.session.meeting.groups,
      room,
      notify: ctx.notify,
      openBoard: () => ctx.openRoom(`board-${documentId}`, { presence: false, serverMap: "promoted" }),
      provenanceChanged: () => provenance.load(),
    });
  }

  return {
    agenda(_meeting: Meeting, current: AgendaItem | null): void {
      sections.setCurrent(current?.section_id ?? null);
    },
    unsaved: () => room.unsaved,
  };
}
