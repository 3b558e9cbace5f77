// The document's sections, each a view: its title, badges (group, status, read-only, now), its
// tools (rename, move, status; the chair's "Mark agreed"; history) and a CodeMirror editor bound
// to the section's Y.Text, with the other recorders' cursors and the provenance markers. Views
// are kept across structure changes, so a focused editor keeps its focus while others reorder.

import { api } from "../api";
import { h, replaceChildren } from "../dom";
import { t } from "../i18n";
import { type SectionEditor, createEditor } from "../editor";
import { HistoryPanel } from "../history";
import { type ProvenanceMark, provenanceMarks, showProvenance } from "../inputs/provenance";
import { STATUS_LABEL, readSections, sectionDomId, textName } from "../sections";
import type { Room } from "../sync/room";
import type { SectionMeta, SectionStatus } from "../types";
import { button, describe, replaceTools } from "./controls";
import { agreedPrompt, chairTool } from "./agreed-prompt";
import { showPresence, whoIsWhere } from "./presence";
import { renderSources } from "./sources";
import { renderToc } from "./toc";

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
  /** "No longer agreed", shown once an Agreed section goes back to Draft. */
  notice: HTMLElement;
  /** The secretariat's "edit agreed text?" question, while it is asked. */
  prompt: HTMLElement | null;
  /** Where the paragraphs came from (provenance), reachable without a mouse. */
  sources: HTMLDetailsElement;
  /** "Also here: …": the others whose cursor is in this section. */
  presence: HTMLElement;
}

// When an open history panel reads the revisions again: soon after a status change, and after
// typing has rested past the server's idle window (OUTCOMES_REVISION_IDLE_SECONDS, 5 s).
const STATUS_REFRESH_MS = 700;
const TEXT_REFRESH_MS = 6500;


// The server's transitions (docs/protocol.md): the secretariat may lock a draft in one step.
const NEXT_STATUS: Record<SectionStatus, SectionStatus[]> = {
  draft: ["agreed", "locked"],
  agreed: ["draft", "locked"],
  locked: ["agreed"],
};

export interface SectionListOptions {
  documentId: number;
  /** The document room: its `sections` map and each section's Y.Text. */
  room: Room;
  /** Where the sections go, and the table of contents that follows them. */
  list: HTMLElement;
  toc: HTMLElement;
  isSecretariat: boolean;
  isChair: boolean;
  /** The meeting's time zone: every time shown is in it, the zone named. */
  timeZone: string;
  /** Whether we may edit now (the secretariat, not denied by the server, not adopted). */
  canWrite(): boolean;
  provenance(sectionId: number): ProvenanceMark[] | undefined;
  notify(text: string | Node[]): void;
}

export class SectionList {
  private readonly views = new Map<number, SectionView>();
  private order: SectionMeta[] = [];
  private current: number | null = null;
  /** Agreed sections the secretariat confirmed it edits (asked again once agreed anew). */
  private readonly editingAgreed = new Set<number>();
  /** Sections this chair marked agreed here: it may undo its own mark. */
  private readonly markedByMe = new Set<number>();
  /** The chair's "Mark agreed" waiting for its confirming second press. */
  private armed: number | null = null;
  /** A section just added here: its editor takes the focus as soon as it is shown. */
  private focusNext: number | null = null;

  constructor(private readonly options: SectionListOptions) {
    options.room.awareness.on("change", () => this.showPresence());
  }

  /** Write out who else is in which section (their cursors are only seen, not read). */
  private showPresence(): void {
    const { room } = this.options;
    const texts = new Map([...this.views.keys()].map((id) => [id, room.doc.getText(textName(id))] as const));
    const where = whoIsWhere(room.doc, room.awareness, texts);
    for (const [id, view] of this.views) showPresence(view.presence, t("presence.alsoHere"), where.get(id) ?? []);
  }

  /** Read the `sections` map again and bring every view, and the contents, up to date. */
  structure(): void {
    const { list } = this.options;
    this.order = readSections(this.options.room.doc.getMap<unknown>("sections"));
    const seen = new Set<number>();
    const elements: HTMLElement[] = [];
    for (const meta of this.order) {
      seen.add(meta.id);
      let view = this.views.get(meta.id);
      if (!view) {
        view = this.create(meta);
        this.views.set(meta.id, view);
      }
      this.statusChanged(view, view.meta.status, meta.status);
      // A status change takes a revision right after it is published: read them again.
      if (view.history && meta.version !== view.meta.version) view.history.refresh(STATUS_REFRESH_MS);
      view.meta = meta;
      this.decorate(view);
      this.renderTools(view);
      elements.push(view.el);
    }
    for (const [id, view] of this.views) {
      if (!seen.has(id)) {
        view.editor.destroy();
        view.el.remove();
        this.views.delete(id);
      }
    }
    // Move only what moved, so a focused editor keeps its focus while others reorder; the
    // browser drops the focus of a moved element (the section whose move button was pressed).
    const active = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    elements.forEach((el, i) => {
      if (list.children[i] !== el) list.insertBefore(el, list.children[i] ?? null);
    });
    if (active && active.isConnected && document.activeElement !== active && list.contains(active)) {
      active.focus({ preventScroll: false });
    }
    renderToc(this.options.toc, this.order, this.current);
    if (this.focusNext !== null) this.focusWhenShown(this.focusNext);
  }

  /** Move the keyboard into a section's text now, or when the section appears. */
  focusWhenShown(id: number): void {
    const view = this.views.get(id);
    if (!view) {
      this.focusNext = id;
      return;
    }
    this.focusNext = null;
    view.editor.view.focus();
  }

  private statusChanged(view: SectionView, before: SectionStatus, after: SectionStatus): void {
    if (before === after) return;
    const id = view.meta.id;
    if (after !== "agreed") {
      this.editingAgreed.delete(id);
      this.markedByMe.delete(id);
      view.prompt?.remove();
      view.prompt = null;
    }
    if (before === "agreed" && after === "draft") {
      // Agreed means agreed: everyone, the chair first, sees that it is open again.
      view.notice.textContent = t("doc.backToDraft");
      view.notice.hidden = false;
      this.options.notify(t("doc.backToDraftOf", { title: view.meta.title }));
    } else {
      // Said aloud too (the shell's notice is a live region): a status change arriving live.
      this.options.notify(t("doc.statusNow", { title: view.meta.title, status: STATUS_LABEL[after] }));
      if (after !== "draft") {
        view.notice.hidden = true;
        view.notice.textContent = "";
      }
    }
  }

  /** Whether a change typed into the section may apply: the first one into an Agreed section
   * waits for the secretariat to confirm (the server returns the section to Draft anyway). */
  private allowEdit(id: number): boolean {
    const view = this.views.get(id);
    if (!view || view.meta.status !== "agreed" || this.editingAgreed.has(id)) return true;
    this.askToEditAgreed(view);
    return false;
  }

  private askToEditAgreed(view: SectionView): void {
    if (view.prompt) {
      view.prompt.querySelector<HTMLButtonElement>(".agreed-edit")?.focus();
      return;
    }
    const id = view.meta.id;
    const close = (): void => {
      view.prompt?.remove();
      view.prompt = null;
      view.editor.view.focus();
    };
    view.prompt = agreedPrompt(() => {
      this.editingAgreed.add(id);
      close();
    }, close);
    view.head.after(view.prompt);
    view.prompt.querySelector<HTMLButtonElement>(".agreed-edit")?.focus();
  }

  /** The section of the current agenda item changed. */
  setCurrent(id: number | null): void {
    if (id === this.current) return;
    this.current = id;
    for (const view of this.views.values()) this.decorate(view);
    renderToc(this.options.toc, this.order, this.current);
  }

  /** Draw the provenance markers again, in every section. */
  showProvenance(): void {
    for (const [id, view] of this.views) {
      const marks = this.options.provenance(id) ?? [];
      showProvenance(view.editor.view, marks);
      this.renderSources(view, marks);
    }
  }

  private renderSources(view: SectionView, marks: ProvenanceMark[]): void {
    renderSources(view.sources, marks);
  }

  private readOnly(meta: SectionMeta): boolean {
    return !this.options.canWrite() || meta.status === "locked";
  }

  private move(id: number, by: -1 | 1): void {
    const ids = this.order.map((m) => m.id);
    const at = ids.indexOf(id);
    const to = at + by;
    if (at < 0 || to < 0 || to >= ids.length) return;
    [ids[at], ids[to]] = [ids[to] as number, ids[at] as number];
    api.reorderSections(this.options.documentId, ids).catch((err: unknown) => this.options.notify(describe(err)));
  }

  private setStatus(view: SectionView, status: SectionStatus): void {
    const id = view.meta.id;
    api
      .setStatus(this.options.documentId, id, status, view.meta.version)
      .then(() => {
        if (this.options.isChair && status === "agreed") {
          this.markedByMe.add(id);
          this.renderTools(view);
          view.tools.querySelector<HTMLButtonElement>(".section-unagree")?.focus();
        } else if (this.options.isChair) {
          view.tools.querySelector<HTMLButtonElement>(".section-agree")?.focus();
        }
      })
      .catch((err: unknown) => {
        this.options.notify(describe(err));
        this.renderTools(view);
      });
  }

  private startRename(view: SectionView): void {
    view.renaming = true;
    const input = h("input", {
      class: "input rename-input",
      attrs: { type: "text", "aria-label": t("structure.sectionTitle"), maxlength: "200", dir: "auto" },
    });
    input.value = view.meta.title;
    const save = button(t("action.save"), "rename-save");
    save.type = "submit";
    const cancel = button(t("action.cancel"), "rename-cancel");
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
        .renameSection(this.options.documentId, view.meta.id, value, view.meta.version)
        .then(done)
        .catch((err: unknown) => {
          this.options.notify(describe(err));
          save.disabled = false;
        });
    });
    view.title.replaceWith(form);
    input.focus();
    input.select();
  }

  private toggleHistory(view: SectionView, toggle: HTMLButtonElement): void {
    if (view.history) {
      view.history.close();
      view.history.el.remove();
      view.history = null;
      toggle.setAttribute("aria-expanded", "false");
      return;
    }
    const { documentId, isSecretariat, notify, timeZone } = this.options;
    view.history = new HistoryPanel(documentId, view.meta.id, isSecretariat, notify, timeZone);
    view.el.append(view.history.el);
    toggle.setAttribute("aria-expanded", "true");
    void view.history.load();
  }

  private renderTools(view: SectionView): void {
    const { meta } = view;
    const { isSecretariat, isChair } = this.options;
    const items: HTMLElement[] = [];
    if (this.options.canWrite()) {
      const rename = button(t("structure.rename"), "section-rename");
      rename.addEventListener("click", () => this.startRename(view));
      const index = this.order.findIndex((m) => m.id === meta.id);
      const up = button("↑", "section-up", { "aria-label": t("action.moveUp"), title: t("action.moveUp") });
      up.disabled = index <= 0;
      up.addEventListener("click", () => this.move(meta.id, -1));
      const down = button("↓", "section-down", { "aria-label": t("action.moveDown"), title: t("action.moveDown") });
      down.disabled = index < 0 || index >= this.order.length - 1;
      down.addEventListener("click", () => this.move(meta.id, 1));
      const status = h("select", { class: "section-status", attrs: { "aria-label": t("inbox.status") } });
      for (const value of ["draft", "agreed", "locked"] as const) {
        const choice = h("option", { attrs: { value }, text: STATUS_LABEL[value] });
        // The server moves a section one step at a time: draft ⇄ agreed ⇄ locked.
        choice.disabled = value !== meta.status && !NEXT_STATUS[meta.status].includes(value);
        status.append(choice);
      }
      status.value = meta.status;
      status.addEventListener("change", () => this.setStatus(view, status.value as SectionStatus));
      items.push(rename, up, down, status);
    } else if (isChair) {
      const chair = chairTool(meta.status, this.armed === meta.id, this.markedByMe.has(meta.id), {
        arm: () => {
          this.armed = meta.id;
          this.renderTools(view);
          view.tools.querySelector<HTMLButtonElement>(".section-agree")?.focus();
        },
        set: (status) => {
          this.armed = null;
          this.setStatus(view, status);
        },
      });
      if (chair) items.push(chair);
    }
    if (isSecretariat || isChair) {
      const history = button(t("history.title"), "section-history", {
        "aria-expanded": view.history ? "true" : "false",
      });
      history.addEventListener("click", () => this.toggleHistory(view, history));
      items.push(history);
    }
    replaceTools(view.tools, items);
  }

  private decorate(view: SectionView): void {
    const { meta } = view;
    const isCurrent = meta.id === this.current;
    view.el.className = `section section-${meta.kind}${isCurrent ? " is-current" : ""}`;
    view.el.dataset["status"] = meta.status;
    if (view.title.textContent !== meta.title) {
      view.title.textContent = meta.title;
      view.editor.setLabel(meta.title);
    }
    replaceChildren(
      view.badges,
      meta.group_code
        ? h("span", { class: "badge badge-group", text: t("section.group", { group: meta.group_code }) })
        : null,
      h("span", { class: `badge badge-${meta.status}`, text: STATUS_LABEL[meta.status] }),
      !this.options.canWrite() && meta.status !== "locked"
        ? h("span", { class: "badge badge-readonly", text: t("doc.readOnly") })
        : null,
      isCurrent ? h("span", { class: "badge badge-now", text: t("section.now") }) : null,
    );
    view.editor.setReadOnly(this.readOnly(meta));
  }

  private create(meta: SectionMeta): SectionView {
    const { room } = this.options;
    const title = h("h2", { class: "section-title", attrs: { dir: "auto" }, text: meta.title });
    title.id = `${sectionDomId(meta.id)}-title`;
    const badges = h("div", { class: "badges" });
    const tools = h("div", { class: "section-tools" });
    const editorHost = h("div", { class: "section-editor" });
    const sectionHead = h("header", { class: "section-head" }, title, badges, tools);
    const notice = h("p", { class: "section-notice", attrs: { role: "status" } });
    notice.hidden = true;
    const sources = h("details", { class: "section-sources" });
    sources.hidden = true;
    const presence = h("p", { class: "section-presence" });
    presence.hidden = true;
    const el = h(
      "section",
      {
        class: "section",
        attrs: { id: sectionDomId(meta.id), "aria-labelledby": title.id, "data-section-id": String(meta.id) },
      },
      sectionHead,
      notice,
      presence,
      editorHost,
      sources,
    );
    const ytext = room.doc.getText(textName(meta.id));
    ytext.observe(() => this.views.get(meta.id)?.history?.refresh(TEXT_REFRESH_MS));
    const editor = createEditor(editorHost, ytext, room.awareness, {
      readOnly: this.readOnly(meta),
      label: meta.title,
      placeholder: this.options.canWrite() ? t("doc.placeholder") : t("section.empty"),
      extensions: [provenanceMarks()],
      allowEdit: () => this.allowEdit(meta.id),
    });
    const marks = this.options.provenance(meta.id);
    if (marks) showProvenance(editor.view, marks);
    const view: SectionView = {
      meta,
      el,
      head: sectionHead,
      title,
      badges,
      tools,
      editor,
      history: null,
      renaming: false,
      notice,
      prompt: null,
      sources,
      presence,
    };
    this.renderSources(view, marks ?? []);
    return view;
  }
}
