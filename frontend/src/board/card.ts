// One note on the board: its text (textContent, dir="auto"), who wrote it and when, "In the
// document" once promoted, and the actions the viewer has: Edit/Delete on one's own notes,
// Promote/Remove for the secretariat. Editing and promoting open a small form inside the card;
// while a form is open, live changes to the note do not replace what is being typed.

import { errorMessage } from "../api";
import { armedButton, keepingFocus } from "../armed";
import { h, replaceChildren } from "../dom";
import { isolate, t } from "../i18n";
import { clock } from "../inputs/feed";
import { autoDir } from "../render";
import type { SectionMeta } from "../types";
import {
  type Column,
  MAX_NOTE_CHARS,
  type MergedEntry,
  type Note,
  type NoteValue,
  type Promotion,
  textProblem,
  withColumn,
  withText,
} from "./notes";
import { mergedList, voteRow } from "./extras";
import type { NoteVoting } from "./voting";

export interface CardContext {
  /** The viewer's participant id. */
  me: number;
  timeZone: string;
  /** The viewer may change the board now (a writer whose changes are not refused). */
  mayWrite(): boolean;
  /** The secretariat: Promote and Remove on every note. */
  moderator: boolean;
  /** The document's sections, in order (promotion targets). */
  sections(): SectionMeta[];
  /** The board's columns, in order (where a note may be moved). */
  columns(): Column[];
  /** The voting round's view of a note (null: no round). */
  voting(id: string): NoteVoting | null;
  vote(id: string): void;
  /** What was merged into a note. */
  merged(id: string): MergedEntry[];
  /** Who posted an anonymous note (the secretariat only; null: unknown or not to be shown). */
  authorName(id: string): string | null;
  /** The other notes of the board (merge candidates), oldest first. */
  others(id: string): Note[];
  /** REST hide (secretariat). */
  hide(id: string): Promise<void>;
  /** REST merge of `other` into `keep` (secretariat). */
  merge(keep: string, other: string): Promise<void>;
  save(id: string, value: NoteValue): void;
  remove(id: string): void;
  /** POST …/promote; rejects with the server's ApiError. */
  promote(id: string, sectionId: number, text: string | null): Promise<void>;
  /** POST …/inbox: the note becomes an input for that section; rejects with the ApiError. */
  toInbox(id: string, sectionId: number, text: string | null): Promise<void>;
}

/** A button; `data-focus` (its class) lets a re-render give it back the focus. */
function button(text: string, className: string): HTMLButtonElement {
  return h("button", { class: `button ${className}`, attrs: { type: "button", "data-focus": className }, text });
}

let formCounter = 0;

export class NoteCard {
  readonly el: HTMLLIElement;
  private mode: "view" | "edit" | "promote" = "view";
  private signature = "";
  /** Refills the open Promote form's sections (null: no such form is open). */
  private fillSections: (() => void) | null = null;

  constructor(
    private note: Note,
    private promotion: Promotion | null,
    private readonly ctx: CardContext,
  ) {
    this.el = h("li", { class: "note", attrs: { "data-note-id": note.id } });
    this.render();
  }

  /** Show the note's current value (skipped while a form is open in the card). */
  update(note: Note, promotion: Promotion | null): void {
    this.note = note;
    this.promotion = promotion;
    if (this.mode === "view") this.render();
  }

  /** Re-render after the viewer's rights changed (a refused change makes the board read-only). */
  refresh(): void {
    if (this.mode === "view") this.render();
  }

  /** The document's sections changed (or arrived after the Promote form opened). */
  sectionsChanged(): void {
    if (this.mode === "view") this.render();
    else this.fillSections?.();
  }

  private render(): void {
    const { note, promotion, ctx } = this;
    const voting = ctx.voting(note.id);
    const merged = ctx.merged(note.id);
    const revealed = note.anonymous ? ctx.authorName(note.id) : null;
    const signature = JSON.stringify([
      note,
      promotion,
      ctx.mayWrite(),
      this.mode,
      ctx.columns(),
      voting,
      merged,
      revealed,
    ]);
    if (signature === this.signature) return;
    this.signature = signature;
    this.el.className = `note note-${note.color}${promotion ? " is-promoted" : ""}`;
    this.el.dataset["author"] = String(note.author);
    const textId = `note-${note.id}-text`;
    const text = autoDir("p", note.text, "note-text");
    text.id = textId;
    const time = clock(note.at, ctx.timeZone);
    const meta = h(
      "p",
      { class: "note-meta" },
      note.anonymous
        ? h("span", {
            class: "note-author note-anonymous",
            attrs: { dir: "auto" },
            text: revealed ? t("board.anonymousBy", { name: isolate(revealed) }) : t("board.anonymous"),
          })
        : autoDir("span", note.name, "note-author"),
      time ? h("span", { class: "note-time", text: t("board.noteTime", { time }) }) : null,
    );
    let badge: HTMLElement | null = null;
    if (promotion) {
      const section = ctx.sections().find((s) => s.id === promotion.section_id);
      const title = t(promotion.inbox ? "board.inboxTitle" : "board.promotedTitle", {
        section: section ? isolate(section.title) : "none",
        by: promotion.by ? isolate(promotion.by) : "none",
      });
      const label = t(promotion.inbox ? "board.inInbox" : "board.inDocument");
      badge = h("p", { class: "note-badges" }, h("span", { class: "badge badge-promoted", attrs: { title }, text: label }));
    }
    const votes = voteRow(voting, textId, ctx.mayWrite(), () => ctx.vote(note.id));
    // A vote or an edit elsewhere re-renders the card; the focus stays on the same control.
    keepingFocus(this.el, () =>
      replaceChildren(this.el, text, meta, badge, mergedList(merged), votes, this.actions(textId)),
    );
  }

  private actions(textId: string): HTMLElement | null {
    const { note, promotion, ctx } = this;
    if (!ctx.mayWrite()) return null;
    const mine = note.author === ctx.me;
    const items: HTMLElement[] = [];
    if (mine) {
      const edit = button(t("action.edit"), "note-edit");
      edit.addEventListener("click", () => this.openEdit());
      const remove = (): void => ctx.remove(note.id);
      items.push(
        edit,
        armedButton({
          key: `note:${note.id}:delete`,
          text: t("action.delete"),
          confirmText: t("action.confirmDelete"),
          className: "button note-delete",
          act: remove,
        }),
      );
    }
    if (ctx.moderator) {
      if (!promotion) {
        const promote = button(t("board.promote"), "note-promote");
        promote.addEventListener("click", () => this.openPromote());
        items.push(promote);
      }
      if (ctx.others(note.id).length > 0) {
        const merge = button(t("board.merge"), "note-merge");
        merge.addEventListener("click", () => this.openMerge());
        items.push(merge);
      }
      if (!mine || note.anonymous) {
        // Hidden through the server, so the audit log keeps the note and its author.
        const remove = (): void => void ctx.hide(note.id);
        items.push(
          armedButton({
            key: `note:${note.id}:remove`,
            text: t("action.remove"),
            confirmText: t("action.confirmRemove"),
            className: "button note-remove",
            act: remove,
          }),
        );
      }
    }
    for (const item of items) item.setAttribute("aria-describedby", textId);
    const move = mine || ctx.moderator ? this.mover(textId) : null;
    return items.length || move ? h("div", { class: "note-actions" }, move, ...items) : null;
  }

  /** "Move to" a column (one's own note; the secretariat moves any). */
  private mover(textId: string): HTMLElement | null {
    const { note, ctx } = this;
    const columns = ctx.columns();
    if (columns.length === 0) return null;
    const id = `note-${note.id}-column`;
    const select = h("select", {
      class: "note-move",
      attrs: { id, "aria-label": t("board.moveTo"), "aria-describedby": textId, "data-focus": "note-move" },
    });
    const known = columns.some((c) => c.id === note.column);
    select.append(h("option", { attrs: { value: "" }, text: t("board.unsorted") }));
    for (const column of columns) {
      select.append(h("option", { attrs: { value: String(column.id), dir: "auto" }, text: column.title }));
    }
    select.value = known ? String(note.column) : "";
    select.addEventListener("change", () => {
      const column = select.value === "" ? null : Number(select.value);
      ctx.save(note.id, withColumn(note, column));
    });
    return select;
  }

  private close(): void {
    this.mode = "view";
    this.fillSections = null;
    this.render();
  }

  private openEdit(): void {
    this.mode = "edit";
    this.signature = "";
    const id = `note-form-${++formCounter}`;
    const area = h("textarea", {
      class: "input note-edit-text",
      attrs: { id, dir: "auto", rows: "4", maxlength: String(MAX_NOTE_CHARS) },
    });
    area.value = this.note.text;
    const problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    const save = button(t("action.save"), "button-primary note-save");
    save.type = "submit";
    const cancel = button(t("action.cancel"), "note-cancel");
    const form = h(
      "form",
      { class: "note-form" },
      h("label", { class: "field-label", attrs: { for: id }, text: t("board.editYourNote") }),
      area,
      problem,
      h("div", { class: "note-actions" }, save, cancel),
    );
    this.closeOn(form, cancel);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const why = textProblem(area.value);
      if (why) {
        problem.textContent = why;
        return;
      }
      this.ctx.save(this.note.id, withText(this.note, area.value));
      this.close();
    });
    replaceChildren(this.el, form);
    area.focus();
  }

  /** Cancel and Escape leave a form without changing the note. */
  private closeOn(form: HTMLElement, cancel: HTMLElement): void {
    cancel.addEventListener("click", () => this.close());
    form.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
  }

  private openMerge(): void {
    this.mode = "promote";
    this.signature = "";
    const n = ++formCounter;
    const select = h("select", { class: "note-merge-other", attrs: { id: `note-merge-${n}` } });
    for (const other of this.ctx.others(this.note.id)) {
      const label = [...other.text.trim()].slice(0, 80).join("");
      select.append(h("option", { attrs: { value: other.id, dir: "auto" }, text: label }));
    }
    const problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    const send = button(t("board.mergeHere"), "button-primary note-merge-send");
    send.type = "submit";
    const cancel = button(t("action.cancel"), "note-cancel");
    const form = h(
      "form",
      { class: "note-form review-form" },
      autoDir("p", this.note.text, "note-text note-quote"),
      h("label", { class: "field-label", attrs: { for: select.id }, text: t("board.mergeWhich") }),
      select,
      problem,
      h("div", { class: "note-actions" }, send, cancel),
    );
    this.closeOn(form, cancel);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      send.disabled = true;
      problem.textContent = "";
      this.ctx
        .merge(this.note.id, select.value)
        .then(() => this.close())
        .catch((err: unknown) => {
          problem.textContent = errorMessage(err);
          send.disabled = false;
        });
    });
    replaceChildren(this.el, form);
    select.focus();
  }

  private openPromote(): void {
    this.mode = "promote";
    this.signature = "";
    const n = ++formCounter;
    const select = h("select", { class: "note-promote-section", attrs: { id: `note-section-${n}` } });
    const area = h("textarea", {
      class: "input note-promote-text",
      attrs: { id: `note-promote-text-${n}`, dir: "auto", rows: "4" },
    });
    area.value = this.note.text;
    const problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    const send = button(t("board.promoteToDocument"), "button-primary note-promote-send");
    send.type = "submit";
    // The inbox: the secretariat reviews it with the breakouts' inputs before it goes in.
    const inbox = button(t("board.sendToInbox"), "note-inbox-send");
    const none = h("p", { class: "muted", text: t("doc.noSections") });
    let sending = false;
    // Again whenever the sections change: the document room may sync after the form opened.
    const fill = (): void => {
      const sections = this.ctx.sections();
      const chosen = select.value;
      select.replaceChildren(
        ...sections.map((section) =>
          h("option", { attrs: { value: String(section.id), dir: "auto" }, text: section.title }),
        ),
      );
      if (sections.some((s) => String(s.id) === chosen)) {
        select.value = chosen;
      } else {
        // The open session's own section, if the document has one, is the likely target.
        const brainstorm = sections.find((s) => s.kind === "brainstorm" && s.status !== "locked");
        if (brainstorm) select.value = String(brainstorm.id);
      }
      none.hidden = sections.length > 0;
      if (!sending) send.disabled = inbox.disabled = sections.length === 0;
    };
    fill();
    this.fillSections = fill;
    const cancel = button(t("action.cancel"), "note-cancel");
    const form = h(
      "form",
      { class: "note-form review-form" },
      autoDir("p", this.note.text, "note-text note-quote"),
      h("label", { class: "field-label", attrs: { for: select.id }, text: t("field.section") }),
      select,
      h("label", { class: "field-label", attrs: { for: area.id }, text: t("board.textForDocument") }),
      area,
      none,
      problem,
      h("div", { class: "note-actions" }, send, inbox, cancel),
    );
    this.closeOn(form, cancel);
    let target: "document" | "inbox" = "document";
    inbox.addEventListener("click", () => {
      target = "inbox";
      form.requestSubmit();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const via = target;
      target = "document";
      const sectionId = Number(select.value);
      const edited = area.value.trim();
      if (!Number.isInteger(sectionId) || sectionId <= 0) {
        problem.textContent = t("field.chooseSection");
        return;
      }
      if (edited === "") {
        problem.textContent = t("board.textEmpty");
        return;
      }
      sending = true;
      send.disabled = inbox.disabled = true;
      problem.textContent = "";
      const text = edited === this.note.text.trim() ? null : edited;
      const sent =
        via === "inbox"
          ? this.ctx.toInbox(this.note.id, sectionId, text)
          : this.ctx.promote(this.note.id, sectionId, text);
      sent
        .then(() => this.close())
        .catch((err: unknown) => {
          problem.textContent = errorMessage(err);
          sending = false;
          fill();
        });
    });
    replaceChildren(this.el, form);
    select.focus();
  }
}
