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
import { projectorControls } from "../document/projector-controls";
import { DocumentProvenance } from "../document/provenance";
import { SectionList } from "../document/section-view";
import { h, replaceChildren } from "../dom";
import { t } from "../i18n";
import { joiningPanel } from "../joining/panel";
import { autoDir } from "../render";
import type { Room } from "../sync/room";
import type { AgendaItem, Meeting } from "../types";
import { type Page, type PageContext, showStatus } from "./page";

export async function documentPage(ctx: PageContext): Promise<Page> {
  const { me, documentId } = ctx;
  const isSecretariat = me.role === "secretariat";
  const isChair = me.role === "chair";
  const timeZone = ctx.session.meeting.time_zone;

  const title = autoDir("h1", ctx.session.documentTitle, "doc-title");
  window.document.title = t("shell.pageTitle", { title: ctx.session.documentTitle });
  const tools = h("nav", { class: "doc-tools", attrs: { "aria-label": t("group.views") } });
  const link = (href: string, text: string): HTMLElement =>
    h("a", { class: "tool", attrs: { href }, text });
  tools.append(
    link(api.markdownUrl(documentId), t("export.md")),
    link(`/d/${documentId}/projector`, t("doc.projectorView")),
    link(`/d/${documentId}/board`, t("board.name")),
    ...ctx.session.meeting.groups.map((g) =>
      link(`/d/${documentId}/group/${encodeURIComponent(g.code)}`, t("section.group", { group: g.code })),
    ),
  );
  const toc = h("ol", { class: "toc-list" });
  const sectionsEl = h("div", { class: "sections" });
  const head = h("div", { class: "doc-head" }, title, tools, adoptionControls(ctx.adoption, me, documentId, ctx.notify));
  const article = h("article", { class: "doc" }, head, sectionsEl);
  const showsInbox = isSecretariat || isChair;
  if (showsInbox) tools.append(exportMenu(documentId, timeZone));
  const inboxSlot = h("div", { class: "inbox-slot" });
  replaceChildren(
    ctx.shell.main,
    h(
      "div",
      { class: showsInbox ? "doc-layout has-inbox" : "doc-layout" },
      h(
        "aside",
        { class: "toc", attrs: { "aria-label": t("doc.sections") } },
        h("h2", { class: "toc-heading", text: t("doc.sections") }),
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
    head.append(checkpointForm(documentId, ctx.notify), joiningPanel(ctx.session.meeting.id, ctx.notify, timeZone));
    article.append(addSectionForm(documentId, ctx.notify, (id) => sections.focusWhenShown(id)));
  }

  const room: Room = await ctx.openRoom(`doc-${documentId}`, {
    presence: me.role !== "projector",
    serverMap: "sections",
  });
  showStatus(ctx, room, isSecretariat ? [room] : []);
  if (isSecretariat) tools.append(projectorControls(documentId, room, ctx.notify));
  const provenance = new DocumentProvenance(documentId, timeZone, () => sections.showProvenance());
  const sections = new SectionList({
    documentId,
    room,
    list: sectionsEl,
    toc,
    isSecretariat,
    isChair,
    timeZone,
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

  let stopInbox = (): void => {};
  if (showsInbox) {
    stopInbox = mountInbox(inboxSlot, {
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
    dispose: () => stopInbox(),
  };
}
