// /d/{id}: the outcome document. The secretariat edits every section in place (CodeMirror bound
// to the section's Y.Text, the other recorders' cursors with their names), adds, renames, moves
// sections and sets their status, saves named checkpoints and opens each section's history.
// The chair and participants see the same live document read-only (the server gives them
// read-only connections); the chair can mark a draft section agreed.

import { ApiError, api } from "../api";
import { adoptionControls } from "../closing/adopt";
import { VersionsPanel } from "../closing/versions";
import { exportMenu } from "../closing/export";
import { h, replaceChildren } from "../dom";
import { type SectionEditor, createEditor } from "../editor";
import { HistoryPanel } from "../history";
import { Inbox } from "../inputs/inbox";
import { joiningPanel } from "../joining/panel";
import { type ProvenanceMark, provenanceLabel, provenanceMarks, showProvenance } from "../inputs/provenance";
import { autoDir } from "../render";
import { STATUS_LABEL, readSections, sectionDomId, textName } from "../sections";
import type { Room } from "../sync/room";
import type { AgendaItem, Meeting, Provenance, SectionMeta, SectionStatus } from "../types";
import { type Page, type PageContext, showStatus } from "../pages/page";

interface SectionView {
  meta: SectionMeta;
  el: HTMLElement;
  head: HTMLElement;
  title: HTMLElement;
  badges: HTMLElement;
  tools: HTMLElement;
  editor: SectionEditor;
  history: HistoryPanel | null;
  renaming: boolean;
}

const NEXT_STATUS: Record<SectionStatus, SectionStatus[]> = {
  draft: ["agreed"],
  agreed: ["draft", "locked"],
  locked: ["agreed"],
};

function button(text: string, className: string, attrs: Record<string, string> = {}): HTMLButtonElement {
  return h("button", { class: `button ${className}`, attrs: { type: "button", ...attrs }, text });
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 409) return `${err.detail} (someone changed it meanwhile; try again)`;
    return err.detail;
  }
  return String(err);
}

export async function documentPage(ctx: PageContext): Promise<Page> {
  const { me, documentId } = ctx;
  const isSecretariat = me.role === "secretariat";
  const isChair = me.role === "chair";
  const cache = { current: null as number | null };

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
    // A named checkpoint of the whole document (every section's version).
    const name = h("input", {
      class: "input checkpoint-name",
      attrs: { type: "text", placeholder: "Checkpoint name", "aria-label": "Checkpoint name", maxlength: "200" },
    });
    const save = button("Save checkpoint", "checkpoint-save");
    const form = h("form", { class: "checkpoint" }, name, save);
    form.addEventListener("submit", (event) => event.preventDefault());
    save.addEventListener("click", () => {
      const value = name.value.trim();
      if (!value) {
        name.focus();
        return;
      }
      save.disabled = true;
      api
        .checkpoint(documentId, value)
        .then(() => {
          name.value = "";
          ctx.notify(`Checkpoint “${value}” saved.`);
        })
        .catch((err: unknown) =>
          ctx.notify(
            err instanceof ApiError && err.status === 404
              ? "Checkpoints are not available on this server yet."
              : describe(err),
          ),
        )
        .finally(() => {
          save.disabled = false;
        });
    });
    head.append(form, joiningPanel(ctx.session.meeting.id, ctx.notify));

    const newTitle = h("input", {
      class: "input add-section-title",
      attrs: { type: "text", placeholder: "New section title", "aria-label": "New section title", maxlength: "200" },
    });
    const add = button("Add section", "add-section");
    const addForm = h("form", { class: "add-section-form" }, newTitle, add);
    addForm.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = newTitle.value.trim();
      if (!value) return;
      add.disabled = true;
      api
        .addSection(documentId, value)
        .then(() => {
          newTitle.value = "";
        })
        .catch((err: unknown) => ctx.notify(describe(err)))
        .finally(() => {
          add.disabled = false;
        });
    });
    add.type = "submit";
    article.append(addForm);
  }

  const room: Room = await ctx.openRoom(`doc-${documentId}`, {
    presence: me.role !== "projector",
    serverMap: "sections",
  });
  showStatus(ctx, room, isSecretariat ? [room] : []);
  const map = room.doc.getMap<unknown>("sections");
  const views = new Map<number, SectionView>();
  let order: SectionMeta[] = [];

  const canWrite = (): boolean => isSecretariat && !room.current.denied && !ctx.adoption.adopted;
  const readOnly = (meta: SectionMeta): boolean => !canWrite() || meta.status === "locked";

  function move(id: number, by: -1 | 1): void {
    const ids = order.map((m) => m.id);
    const at = ids.indexOf(id);
    const to = at + by;
    if (at < 0 || to < 0 || to >= ids.length) return;
    [ids[at], ids[to]] = [ids[to] as number, ids[at] as number];
    api.reorderSections(documentId, ids).catch((err: unknown) => ctx.notify(describe(err)));
  }

  function setStatus(view: SectionView, status: SectionStatus): void {
    api
      .setStatus(documentId, view.meta.id, status, view.meta.version)
      .catch((err: unknown) => {
        ctx.notify(describe(err));
        renderTools(view);
      });
  }

  function startRename(view: SectionView): void {
    view.renaming = true;
    const input = h("input", {
      class: "input rename-input",
      attrs: { type: "text", "aria-label": "Section title", maxlength: "200", dir: "auto" },
    });
    input.value = view.meta.title;
    const save = button("Save", "rename-save");
    save.type = "submit";
    const cancel = button("Cancel", "rename-cancel");
    const form = h("form", { class: "rename" }, input, save, cancel);
    const done = (): void => {
      view.renaming = false;
      form.replaceWith(view.title);
    };
    cancel.addEventListener("click", done);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = input.value.trim();
      if (!value || value === view.meta.title) {
        done();
        return;
      }
      save.disabled = true;
      api
        .renameSection(documentId, view.meta.id, value, view.meta.version)
        .then(done)
        .catch((err: unknown) => {
          ctx.notify(describe(err));
          save.disabled = false;
        });
    });
    view.title.replaceWith(form);
    input.focus();
    input.select();
  }

  function toggleHistory(view: SectionView, toggle: HTMLButtonElement): void {
    if (view.history) {
      view.history.el.remove();
      view.history = null;
      toggle.setAttribute("aria-expanded", "false");
      return;
    }
    view.history = new HistoryPanel(documentId, view.meta.id, isSecretariat, ctx.notify);
    view.el.append(view.history.el);
    toggle.setAttribute("aria-expanded", "true");
    void view.history.load();
  }

  function renderTools(view: SectionView): void {
    const { meta } = view;
    const items: HTMLElement[] = [];
    if (canWrite()) {
      const rename = button("Rename", "section-rename");
      rename.addEventListener("click", () => startRename(view));
      const index = order.findIndex((m) => m.id === meta.id);
      const up = button("↑", "section-up", { "aria-label": "Move up", title: "Move up" });
      up.disabled = index <= 0;
      up.addEventListener("click", () => move(meta.id, -1));
      const down = button("↓", "section-down", { "aria-label": "Move down", title: "Move down" });
      down.disabled = index < 0 || index >= order.length - 1;
      down.addEventListener("click", () => move(meta.id, 1));
      const status = h("select", { class: "section-status", attrs: { "aria-label": "Status" } });
      for (const value of ["draft", "agreed", "locked"] as const) {
        const choice = h("option", { attrs: { value }, text: STATUS_LABEL[value] });
        // The server moves a section one step at a time: draft ⇄ agreed ⇄ locked.
        choice.disabled = value !== meta.status && !NEXT_STATUS[meta.status].includes(value);
        status.append(choice);
      }
      status.value = meta.status;
      status.addEventListener("change", () => setStatus(view, status.value as SectionStatus));
      items.push(rename, up, down, status);
    } else if (isChair && meta.status === "draft") {
      const agree = button("Mark agreed", "section-agree");
      agree.addEventListener("click", () => setStatus(view, "agreed"));
      items.push(agree);
    }
    if (isSecretariat || isChair) {
      const history = button("History", "section-history", {
        "aria-expanded": view.history ? "true" : "false",
      });
      history.addEventListener("click", () => toggleHistory(view, history));
      items.push(history);
    }
    replaceChildren(view.tools, ...items);
  }

  function decorate(view: SectionView): void {
    const { meta } = view;
    const isCurrent = meta.id === cache.current;
    view.el.className = `section section-${meta.kind}${isCurrent ? " is-current" : ""}`;
    view.el.dataset["status"] = meta.status;
    if (view.title.textContent !== meta.title) {
      view.title.textContent = meta.title;
      view.editor.setLabel(meta.title);
    }
    replaceChildren(
      view.badges,
      meta.group_code ? h("span", { class: "badge badge-group", text: `Group ${meta.group_code}` }) : null,
      h("span", { class: `badge badge-${meta.status}`, text: STATUS_LABEL[meta.status] }),
      !canWrite() && meta.status !== "locked"
        ? h("span", { class: "badge badge-readonly", text: "Read-only" })
        : null,
      isCurrent ? h("span", { class: "badge badge-now", text: "Now" }) : null,
    );
    view.editor.setReadOnly(readOnly(meta));
  }

  function create(meta: SectionMeta): SectionView {
    const title = h("h2", { class: "section-title", attrs: { dir: "auto" }, text: meta.title });
    title.id = `${sectionDomId(meta.id)}-title`;
    const badges = h("div", { class: "badges" });
    const tools = h("div", { class: "section-tools" });
    const editorHost = h("div", { class: "section-editor" });
    const sectionHead = h("header", { class: "section-head" }, title, badges, tools);
    const el = h(
      "section",
      {
        class: "section",
        attrs: { id: sectionDomId(meta.id), "aria-labelledby": title.id, "data-section-id": String(meta.id) },
      },
      sectionHead,
      editorHost,
    );
    const editor = createEditor(editorHost, room.doc.getText(textName(meta.id)), room.awareness, {
      readOnly: readOnly(meta),
      label: meta.title,
      placeholder: canWrite() ? "Type the agreed text here…" : "Nothing recorded yet.",
      extensions: [provenanceMarks()],
    });
    const marks = provenance.get(meta.id);
    if (marks) showProvenance(editor.view, marks);
    return { meta, el, head: sectionHead, title, badges, tools, editor, history: null, renaming: false };
  }

  function structure(): void {
    order = readSections(map);
    const seen = new Set<number>();
    const elements: HTMLElement[] = [];
    for (const meta of order) {
      seen.add(meta.id);
      let view = views.get(meta.id);
      if (!view) {
        view = create(meta);
        views.set(meta.id, view);
      }
      view.meta = meta;
      decorate(view);
      renderTools(view);
      elements.push(view.el);
    }
    for (const [id, view] of views) {
      if (!seen.has(id)) {
        view.editor.destroy();
        view.el.remove();
        views.delete(id);
      }
    }
    // Move only what moved, so a focused editor keeps its focus while others reorder.
    elements.forEach((el, i) => {
      if (sectionsEl.children[i] !== el) sectionsEl.insertBefore(el, sectionsEl.children[i] ?? null);
    });
    renderToc();
  }

  function renderToc(): void {
    replaceChildren(
      toc,
      ...order.map((meta) => {
        const a = autoDir("a", meta.title);
        a.href = `#${sectionDomId(meta.id)}`;
        const isCurrent = meta.id === cache.current;
        if (isCurrent) a.setAttribute("aria-current", "location");
        return h("li", { class: isCurrent ? "is-current" : "" }, a);
      }),
    );
  }

  // Provenance of paragraphs that came from breakout inputs: markers with a hover text.
  const provenance = new Map<number, ProvenanceMark[]>();
  const timeZone = ctx.session.meeting.time_zone;
  const applyProvenance = (records: Provenance[]): void => {
    provenance.clear();
    for (const record of records) {
      const list = provenance.get(record.section_id) ?? [];
      list.push({ text: record.text, label: provenanceLabel(record, timeZone) });
      provenance.set(record.section_id, list);
    }
    for (const [id, view] of views) showProvenance(view.editor.view, provenance.get(id) ?? []);
  };
  let provenanceTimer: ReturnType<typeof setTimeout> | null = null;
  const loadProvenance = (): void => {
    if (provenanceTimer !== null) clearTimeout(provenanceTimer);
    provenanceTimer = setTimeout(() => {
      provenanceTimer = null;
      api
        .provenance(documentId)
        .then(applyProvenance)
        .catch(() => {
          // Offline or not yet available: the markers come with the next acceptance or reload.
        });
    }, 150);
  };

  map.observe(structure);
  ctx.adoption.on(structure);
  let wasDenied = room.current.denied;
  room.onStatus((status) => {
    if (status.denied !== wasDenied) {
      wasDenied = status.denied;
      structure();
    }
  });
  structure();
  loadProvenance();

  if (showsInbox) {
    const inbox = new Inbox({
      me,
      meetingId: ctx.session.meeting.id,
      timeZone,
      groups: ctx.session.meeting.groups,
      doc: room.doc,
      notify: ctx.notify,
    });
    inbox.feed.on((changed) => {
      if (changed.some((input) => input.status === "accepted")) loadProvenance();
    });
    inboxSlot.replaceWith(inbox.el);
    // A note promoted from the participants' board (room board-{id}, `promoted` is written by
    // the server only) brings a provenance record with it: show its marker at once.
    void ctx
      .openRoom(`board-${documentId}`, { presence: false, serverMap: "promoted" })
      .then((board) => board.doc.getMap("promoted").observe(loadProvenance))
      .catch(() => {
        // Without the board the markers come with the next reload.
      });
  }

  return {
    agenda(_meeting: Meeting, current: AgendaItem | null): void {
      const id = current?.section_id ?? null;
      if (id === cache.current) return;
      cache.current = id;
      for (const view of views.values()) decorate(view);
      renderToc();
    },
    unsaved: () => room.unsaved,
  };
}
