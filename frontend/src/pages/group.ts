// /d/{id}/group/{code}: a breakout group's page, made for phones. The group's own draft lives
// in its room (group-{id}-{code}, Y.Text "draft"): the rapporteur and the group's participants
// write it together; the secretariat and the chair read it. Below it, the group's section of
// the outcome document as it stands (live, read-only).

import { append, h, replaceChildren } from "../dom";
import { createEditor } from "../editor";
import { isolate, t, tBdi } from "../i18n";
import { LiveDocumentView, autoDir } from "../render";
import type { Room } from "../sync/room";
import { SubmitPanel } from "../inputs/submit";
import type { AgendaItem, Meeting } from "../types";
import { type Page, type PageContext, showStatus } from "./page";

export async function groupPage(ctx: PageContext, groupCode: string): Promise<Page> {
  const { me, documentId, session } = ctx;
  const group = session.meeting.groups.find((g) => g.code === groupCode) ?? null;
  const head = h("div", { class: "group-head" });
  if (group) {
    append(
      head,
      h("p", { class: "group-code", text: t("group.code", { group: group.code }) }),
      autoDir("h1", group.name, "group-name"),
      group.facilitator
        ? h(
            "p",
            { class: "group-facilitator" },
            h("span", { class: "muted", text: t("group.facilitator") }),
            autoDir("span", group.facilitator),
          )
        : null,
    );
    window.document.title = t("group.pageTitle", { group: group.code, name: isolate(group.name) });
  } else {
    head.append(h("h1", { class: "group-name" }, ...tBdi("group.noSuchGroup", { group: groupCode })));
  }
  const draftHost = h("div", { class: "group-draft-editor" });
  const draftNote = h("p", { class: "group-draft-note muted" });
  const draft = h(
    "section",
    { class: "group-draft", attrs: { "aria-labelledby": "group-draft-title" } },
    h("h2", { class: "group-section-heading", attrs: { id: "group-draft-title" }, text: t("group.ourDraft") }),
    draftNote,
    draftHost,
  );
  // Inputs for the secretariat (inputs/submit.ts) replace this once the document room is open.
  let submit: HTMLElement = h(
    "section",
    { class: "group-submit", attrs: { "data-slot": "submit-inputs", "aria-label": t("inputs.forSecretariat") } },
    h("h2", { class: "group-section-heading", text: t("inputs.forSecretariat") }),
    h("p", { class: "muted", text: t("group.rapporteurSubmits") }),
  );
  const outcome = h("div", { class: "sections" });
  const footer = h("p", { class: "group-footer" });
  if (me.role !== "projector") {
    footer.append(h("a", { attrs: { href: `/d/${documentId}` }, text: t("group.readWhole") }));
  }
  // The open session's board: every participant posts there, group members included.
  const boardLink = h("a", { class: "tool group-board-link", attrs: { href: `/d/${documentId}/board` }, text: t("board.name") });
  const notice = h("div", { class: "group-notice" });
  replaceChildren(
    ctx.shell.main,
    h(
      "article",
      { class: "group" },
      head,
      h("nav", { class: "group-links", attrs: { "aria-label": t("group.views") } }, boardLink),
      notice,
      group ? draft : null,
      group ? submit : null,
      h("h2", { class: "group-section-heading", text: t("group.inDocument") }),
      outcome,
      footer,
    ),
  );
  if (!group) {
    replaceChildren(
      notice,
      h("p", { class: "empty", text: t("group.noSuchGroupText") }),
    );
  }

  const docRoom = await ctx.openRoom(`doc-${documentId}`, { presence: false, serverMap: "sections" });
  const view = new LiveDocumentView(outcome, docRoom.doc, {
    filter: (meta) => meta.group_code === groupCode,
  });
  const emptyNote = (): void => {
    const message =
      group !== null && view.sectionCount === 0 && docRoom.doc.getMap("sections").size > 0
        ? t("group.noSection")
        : "";
    if (group) replaceChildren(notice, message ? h("p", { class: "empty", text: message }) : null);
  };
  docRoom.doc.getMap("sections").observe(emptyNote);

  // The rapporteur submits; the secretariat and the chair follow the group's inputs here too.
  const followsInputs =
    (me.role === "rapporteur" && me.group_code === groupCode) || me.role === "secretariat" || me.role === "chair";
  let panel: SubmitPanel | null = null;
  if (group && followsInputs) {
    panel = new SubmitPanel({
      me,
      meetingId: session.meeting.id,
      groupCode,
      timeZone: session.meeting.time_zone,
      sections: docRoom.doc.getMap("sections"),
      notify: ctx.notify,
    });
    submit.replaceWith(panel.el);
    submit = panel.el;
  }

  // Who may write the draft: the group's rapporteur and participants (the server decides).
  const member =
    (me.role === "rapporteur" || me.role === "participant") && me.group_code === groupCode;
  const mayRead = member || me.role === "secretariat" || me.role === "chair";
  let groupRoom: Room | null = null;
  if (group && mayRead) {
    groupRoom = await ctx.openRoom(`group-${documentId}-${groupCode}`, { presence: true });
    const editor = createEditor(draftHost, groupRoom.doc.getText("draft"), groupRoom.awareness, {
      readOnly: !member,
      label: t("group.draftLabel", { group: groupCode }),
      placeholder: member ? t("group.draftPlaceholder") : t("group.draftEmpty"),
    });
    const tools = panel?.draftTools(editor.view, groupRoom.doc.getText("draft"));
    if (tools) draftHost.after(tools);
    draftNote.textContent = member
      ? t("group.draftShared")
      : t("group.draftReadOnly");
    const room = groupRoom;
    const lock = (): void => editor.setReadOnly(!member || room.current.denied || ctx.adoption.adopted);
    ctx.adoption.on(lock);
    lock();
    groupRoom.onStatus((status) => {
      if (status.denied) lock();
      if (status.link === "forbidden") draftNote.textContent = t("group.draftClosed");
    });
  } else if (group) {
    draftNote.textContent = t("group.draftPrivate");
  }
  showStatus(ctx, groupRoom ?? docRoom, member && groupRoom ? [groupRoom] : []);

  return {
    agenda(_meeting: Meeting, current: AgendaItem | null): void {
      view.setCurrent(current?.section_id ?? null);
    },
    unsaved: () => (member && groupRoom ? groupRoom.unsaved : 0),
    dispose: () => panel?.stop(),
  };
}
