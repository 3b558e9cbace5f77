// The secretariat's inbox beside the editor (/d/{id}): breakout inputs arrive live (server-sent
// events) with their group, rapporteur and time. Per input: accept (after editing the text,
// choosing the section and where in it), reject with a reason, mark as a duplicate of another
// input, or defer; or select several and accept them together as one consolidated paragraph.
// The chair sees the same inbox without the actions.

import type * as Y from "yjs";

import { ApiError, api } from "../api";
import { h, placeChildren, replaceChildren } from "../dom";
import { t } from "../i18n";
import { autoDir } from "../render";
import { readSections, textName } from "../sections";
import type { BreakoutGroup, Input, InputStatus, Me, ReviewAction } from "../types";
import { InputFeed, STATUS_TEXT, paragraphs } from "./feed";
import { inputMeta, inputOutcome, statusBadge } from "./view";

const NEW_MS = 6_000;
const OPEN: InputStatus[] = ["submitted", "deferred"];

export interface InboxOptions {
  me: Me;
  meetingId: number;
  timeZone: string;
  groups: BreakoutGroup[];
  /** The document room: its `sections` map and each section's Y.Text. */
  doc: Y.Doc;
  notify(text: string | Node[]): void;
}

function describe(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === "already_reviewed") return t("error.already_reviewed");
    return err.detail;
  }
  return String(err);
}

function excerpt(text: string, length = 60): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > length ? `${flat.slice(0, length - 1)}…` : flat;
}

export class Inbox {
  readonly el: HTMLElement;
  readonly feed: InputFeed;
  private readonly list = h("ol", { class: "inbox-list" });
  private readonly count = h("span", { class: "inbox-count", attrs: { "data-count": "0", "aria-label": t("inbox.toReview") } });
  private readonly body: HTMLElement;
  private readonly groupFilter: HTMLSelectElement;
  private readonly statusFilter: HTMLSelectElement;
  private readonly batch = h("div", { class: "inbox-batch", attrs: { hidden: "" } });
  /** Read out by screen readers when inputs arrive (the list itself is not a live region). */
  private readonly announce = h("p", { class: "visually-hidden inbox-announce", attrs: { role: "status" } });
  /** Shown while the stream is down: the list may be behind. */
  private readonly offline = h("p", { class: "inbox-offline muted", attrs: { role: "status" } });
  private readonly selected = new Set<number>();
  private readonly items = new Map<number, { el: HTMLElement; version: number; status: InputStatus }>();
  private openForm: number | null = null;
  /** Inputs closed under an open form, whose kept text is shown until dismissed. */
  private readonly kept = new Set<number>();
  private batchOpen = false;
  private readonly reviews: boolean;

  constructor(private readonly options: InboxOptions) {
    this.reviews = options.me.role === "secretariat";
    this.feed = new InputFeed(options.meetingId);
    this.groupFilter = h("select", { class: "input inbox-filter-group", attrs: { "aria-label": t("field.groupShort") } });
    this.groupFilter.append(
      h("option", { attrs: { value: "" }, text: t("inbox.allGroups") }),
      ...options.groups.map((g) => h("option", { attrs: { value: g.code }, text: t("section.group", { group: g.code }) })),
    );
    this.statusFilter = h("select", { class: "input inbox-filter-status", attrs: { "aria-label": t("inbox.status") } });
    this.statusFilter.append(
      h("option", { attrs: { value: "" }, text: t("inbox.all") }),
      h("option", { attrs: { value: "open" }, text: t("inbox.open") }),
      ...(Object.keys(STATUS_TEXT) as InputStatus[]).map((s) => h("option", { attrs: { value: s }, text: t(STATUS_TEXT[s]) })),
    );
    for (const select of [this.groupFilter, this.statusFilter]) select.addEventListener("change", () => this.render());
    const toggle = h("button", {
      class: "button inbox-toggle",
      attrs: { type: "button", "aria-expanded": "true", "aria-controls": "inbox-body" },
      text: t("inbox.hide"),
    });
    this.body = h(
      "div",
      { class: "inbox-body", attrs: { id: "inbox-body" } },
      h("div", { class: "inbox-filters" }, this.groupFilter, this.statusFilter),
      this.batch,
      this.list,
    );
    toggle.addEventListener("click", () => {
      const open = this.body.hidden;
      this.body.hidden = !open;
      toggle.textContent = open ? t("inbox.hide") : t("inbox.show");
      toggle.setAttribute("aria-expanded", String(open));
    });
    this.el = h(
      "aside",
      { class: "inbox", attrs: { "aria-labelledby": "inbox-title", "data-readonly": String(!this.reviews) } },
      h(
        "header",
        { class: "inbox-head" },
        h("h2", { class: "inbox-title", attrs: { id: "inbox-title" }, text: t("inbox.title") }, " ", this.count),
        toggle,
      ),
      this.reviews ? null : h("p", { class: "inbox-note muted", text: t("inbox.readOnly") }),
      this.offline,
      this.announce,
      this.body,
    );
    this.feed.on((changed, kind) => {
      this.el.dataset["live"] = String(this.feed.live);
      this.render();
      if (kind === "event") {
        const fresh = changed.filter((input) => input.status === "submitted" && input.version === 1);
        if (fresh.length) {
          const groups = [...new Set(fresh.map((input) => input.group_code))].sort().join(", ");
          this.announce.textContent = t("inbox.announceNew", { count: fresh.length, groups });
        }
        for (const input of changed) {
          const el = this.items.get(input.id)?.el;
          if (el && input.status === "submitted") {
            el.classList.add("is-new");
            setTimeout(() => el.classList.remove("is-new"), NEW_MS);
          }
        }
      }
    });
    // The device going offline may leave the event stream silent rather than failed.
    for (const name of ["online", "offline"]) window.addEventListener(name, () => this.render());
    this.render();
    void this.feed.start();
  }

  private visible(): Input[] {
    const group = this.groupFilter.value;
    const status = this.statusFilter.value;
    return this.feed
      .list()
      .filter(
        (i) =>
          // The input being reviewed stays in view whatever its new status or the filters:
          // its form, or what was typed in it, would otherwise vanish with it.
          i.id === this.openForm ||
          this.kept.has(i.id) ||
          ((!group || i.group_code === group) &&
            (!status || (status === "open" ? OPEN.includes(i.status) : i.status === status))),
      )
      .reverse();
  }

  private render(): void {
    const waiting = this.feed.count("submitted");
    this.count.textContent = String(waiting);
    this.count.dataset["count"] = String(waiting);
    this.count.hidden = waiting === 0;
    for (const id of [...this.selected]) {
      const input = this.feed.inputs.get(id);
      if (!input || !OPEN.includes(input.status)) this.selected.delete(id);
    }
    const children: HTMLElement[] = [];
    let refocus: HTMLElement | null = null;
    for (const input of this.visible()) {
      let item = this.items.get(input.id);
      if (!item || item.version !== input.version || item.status !== input.status) {
        if (item && this.openForm === input.id && OPEN.includes(input.status)) {
          // Its group changed it, or another desk deferred it, while the secretariat was
          // typing in its form: the form and what was typed stay, and the item says what
          // changed (the review goes out at the new version, so it is made knowing it).
          this.changedUnder(item.el, input, item.status);
          item.version = input.version;
          item.status = input.status;
          children.push(item.el);
          continue;
        }
        const el = this.renderItem(input);
        this.kept.delete(input.id); // a kept text goes with the item it was put in
        if (item && this.openForm === input.id) {
          // Reviewed by another desk (or withdrawn) under the open form: the form goes, as
          // its review can no longer be sent, but what was typed in it stays to copy.
          this.openForm = null;
          const typing = item.el.contains(document.activeElement);
          const control = keepTyped(item.el, el, input, () => {
            this.kept.delete(input.id);
            this.render();
          });
          if (control) {
            this.kept.add(input.id);
            // A keyboard user typing in the form is not thrown to the top of the page.
            if (typing) refocus = control;
          }
        }
        item?.el.replaceWith(el);
        item = { el, version: input.version, status: input.status };
        this.items.set(input.id, item);
      }
      children.push(item.el);
    }
    // Offline, say what is known: nothing yet, or the list as it was when last connected.
    const feed = this.feed;
    const behind = (feed.stale || !navigator.onLine) && feed.loaded && feed.error === null;
    this.offline.textContent = behind ? t("inbox.offline") : "";
    this.offline.hidden = !behind;
    if (children.length === 0) {
      const text = feed.error
        ? feed.error.detail
        : !feed.loaded
          ? feed.unreachable
            ? t("inbox.unreachable")
            : t("inbox.loading")
          : feed.inputs.size
            ? t("inbox.noMatch")
            : t("inbox.empty");
      children.push(h("li", { class: "inbox-empty muted", text }));
    }
    placeChildren(this.list, children);
    refocus?.focus();
    this.renderBatch();
  }

  /** Show, in an item whose form is open, what changed under it: the text its group changed
   * it to, or its new status (another desk deferred it). */
  private changedUnder(el: HTMLElement, input: Input, was: InputStatus): void {
    const text = el.querySelector(".input-text");
    const textChanged = text !== null && text.textContent !== input.text;
    if (text) text.textContent = input.text;
    if (input.status !== was) {
      el.classList.replace(`input-${was}`, `input-${input.status}`);
      el.dataset["status"] = input.status;
      el.querySelector(".input-status")?.replaceWith(statusBadge(input));
      const outcome = inputOutcome(input, this.options.timeZone);
      const old = el.querySelector(".input-outcome");
      if (old && outcome) old.replaceWith(outcome);
      else if (outcome) el.querySelector(".input-actions")?.before(outcome);
      else old?.remove();
      // Defer is offered for a submitted input only.
      if (input.status !== "submitted") el.querySelector(".inbox-defer")?.remove();
    }
    const notice = el.querySelector(".inbox-changed") ?? h("p", { class: "inbox-changed", attrs: { role: "status" } });
    replaceChildren(
      notice,
      textChanged || input.status === was
        ? t("inbox.changedWhileOpen", { version: input.version })
        : t("inbox.statusWhileOpen", { status: t(STATUS_TEXT[input.status]) }),
    );
    if (!notice.isConnected) el.querySelector(".inbox-form")?.before(notice);
  }

  private renderItem(input: Input): HTMLElement {
    const tz = this.options.timeZone;
    const el = h("li", {
      class: `inbox-item input-${input.status}`,
      attrs: { "data-input-id": String(input.id), "data-status": input.status, "data-group": input.group_code },
    });
    const head = h("div", { class: "input-item-head" });
    if (this.reviews && OPEN.includes(input.status)) {
      const check = h("input", {
        class: "inbox-select",
        attrs: { type: "checkbox", "aria-label": t("inbox.select", { id: input.id }) },
      });
      check.checked = this.selected.has(input.id);
      check.addEventListener("change", () => {
        if (check.checked) this.selected.add(input.id);
        else this.selected.delete(input.id);
        this.renderBatch();
      });
      head.append(check);
    }
    head.append(statusBadge(input), h("span", { class: "inbox-id muted", text: `#${input.id}` }));
    el.append(head, inputMeta(input, tz, { group: true }), autoDir("p", input.text, "input-text"));
    const outcome = inputOutcome(input, tz);
    if (outcome) el.append(outcome);
    if (this.reviews && OPEN.includes(input.status)) {
      const panel = h("div", { class: "inbox-form" });
      const act = (label: string, cls: string, open: () => HTMLElement | null): HTMLButtonElement => {
        const b = h("button", { class: `button ${cls}`, attrs: { type: "button" }, text: label });
        b.addEventListener("click", () => {
          const form = open();
          this.openForm = form ? input.id : null;
          replaceChildren(panel, form);
          form?.querySelector<HTMLElement>("textarea, input, select")?.focus();
        });
        return b;
      };
      const close = (): void => {
        this.openForm = null;
        replaceChildren(panel);
      };
      el.append(
        h(
          "div",
          { class: "input-actions" },
          act(t("inbox.accept"), "inbox-accept", () => this.acceptForm(input, close)),
          act(t("inbox.reject"), "inbox-reject", () => this.rejectForm(input, close)),
          act(t("inbox.duplicate"), "inbox-duplicate", () => this.duplicateForm(input, close)),
          input.status === "submitted"
            ? act(t("inbox.defer"), "inbox-defer", () => {
                this.review(input, { action: "defer" });
                return null;
              })
            : null,
        ),
        panel,
      );
    }
    return el;
  }

  private review(input: Input, action: ReviewAction, button?: HTMLButtonElement): void {
    if (button) button.disabled = true;
    // The version shown: a form kept open across a change by the group shows that change.
    const version = this.items.get(input.id)?.version ?? input.version;
    api
      .reviewInput(input.id, action, version)
      .then((updated) => this.feed.put(updated))
      .catch((err: unknown) => {
        if (button) button.disabled = false;
        this.options.notify(describe(err));
      });
  }

  /** Section and position choices: "At the end", "At the start", "After paragraph N". */
  private placeFields(sectionId: number): { section: HTMLSelectElement; position: HTMLSelectElement; el: HTMLElement } {
    const section = h("select", { class: "input place-section", attrs: { "aria-label": t("inbox.intoSection") } });
    for (const meta of readSections(this.options.doc.getMap("sections"))) {
      const option = h("option", { attrs: { value: String(meta.id), dir: "auto" }, text: meta.title });
      option.disabled = meta.status === "locked";
      section.append(option);
    }
    section.value = String(sectionId);
    const position = h("select", { class: "input place-position", attrs: { "aria-label": t("inbox.whereInSection") } });
    const fill = (): void => {
      const paras = paragraphs(this.options.doc.getText(textName(Number(section.value))).toString());
      replaceChildren(
        position,
        h("option", { attrs: { value: "" }, text: t("inbox.atEnd") }),
        paras.length ? h("option", { attrs: { value: "0" }, text: t("inbox.atStart") }) : null,
        ...paras.slice(0, -1).map((p, i) =>
          h("option", { attrs: { value: String(i + 1), dir: "auto" }, text: t("inbox.afterParagraph", { n: i + 1, excerpt: excerpt(p, 40) }) }),
        ),
      );
    };
    section.addEventListener("change", fill);
    fill();
    const el = h(
      "div",
      { class: "place-fields" },
      h("label", { class: "field-label" }, t("inbox.sectionLabel"), section),
      h("label", { class: "field-label" }, t("inbox.whereLabel"), position),
    );
    return { section, position, el };
  }

  private acceptForm(input: Input, close: () => void): HTMLElement {
    const text = h("textarea", { class: "input accept-text", attrs: { dir: "auto", rows: "4", "aria-label": t("inbox.textToInsert") } });
    text.value = input.text;
    const place = this.placeFields(input.section_id);
    const ok = h("button", { class: "button button-primary accept-confirm", attrs: { type: "submit" }, text: t("inbox.acceptConfirm") });
    const cancel = h("button", { class: "button form-cancel", attrs: { type: "button" }, text: t("action.cancel") });
    cancel.addEventListener("click", close);
    const form = h("form", { class: "review-form accept-form" }, text, place.el, h("div", { class: "input-actions" }, ok, cancel));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = text.value.trim();
      if (!value) return text.focus();
      const action: ReviewAction = { action: "accept", section_id: Number(place.section.value) };
      // Against its text now: what the form holds is what goes in, also after its group changed it.
      const current = this.feed.inputs.get(input.id)?.text ?? input.text;
      if (value !== current) action.text = value;
      if (place.position.value !== "") action.position = Number(place.position.value);
      this.review(input, action, ok);
    });
    return form;
  }

  private rejectForm(input: Input, close: () => void): HTMLElement {
    const reason = h("input", {
      class: "input reject-reason",
      attrs: { type: "text", dir: "auto", required: "", maxlength: "1000", placeholder: t("inbox.reasonPlaceholder"), "aria-label": t("inbox.reasonLabel") },
    });
    const ok = h("button", { class: "button reject-confirm", attrs: { type: "submit" }, text: t("inbox.rejectConfirm") });
    const cancel = h("button", { class: "button form-cancel", attrs: { type: "button" }, text: t("action.cancel") });
    cancel.addEventListener("click", close);
    const form = h("form", { class: "review-form reject-form" }, reason, h("div", { class: "input-actions" }, ok, cancel));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = reason.value.trim();
      if (!value) return reason.focus();
      this.review(input, { action: "reject", reason: value }, ok);
    });
    return form;
  }

  private duplicateForm(input: Input, close: () => void): HTMLElement | null {
    const others = this.feed.list().filter((i) => i.id !== input.id && i.status !== "withdrawn");
    if (others.length === 0) {
      this.options.notify(t("inbox.noOther"));
      return null;
    }
    const of = h("select", { class: "input duplicate-of", attrs: { "aria-label": t("inbox.duplicateOf") } });
    for (const other of others.slice().reverse()) {
      of.append(h("option", { attrs: { value: String(other.id), dir: "auto" }, text: t("inbox.otherInput", { id: other.id, group: other.group_code ?? "", excerpt: excerpt(other.text) }) }));
    }
    const ok = h("button", { class: "button duplicate-confirm", attrs: { type: "submit" }, text: t("inbox.duplicateConfirm") });
    const cancel = h("button", { class: "button form-cancel", attrs: { type: "button" }, text: t("action.cancel") });
    cancel.addEventListener("click", close);
    const form = h("form", { class: "review-form duplicate-form" }, of, h("div", { class: "input-actions" }, ok, cancel));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.review(input, { action: "duplicate", duplicate_of: Number(of.value) }, ok);
    });
    return form;
  }

  private renderBatch(): void {
    const chosen = [...this.selected].sort((a, b) => a - b).map((id) => this.feed.inputs.get(id)).filter((i): i is Input => !!i);
    this.batch.hidden = chosen.length < 2;
    if (chosen.length < 2) {
      this.batchOpen = false;
      replaceChildren(this.batch);
      return;
    }
    if (this.batchOpen) {
      const label = this.batch.querySelector(".batch-count");
      if (label) label.textContent = t("people.selected", { count: chosen.length });
      return;
    }
    const start = h("button", { class: "button button-primary batch-start", attrs: { type: "button" }, text: t("inbox.batchStart") });
    start.addEventListener("click", () => {
      this.batchOpen = true;
      const current = [...this.selected].sort((a, b) => a - b).map((id) => this.feed.inputs.get(id)).filter((i): i is Input => !!i);
      const text = h("textarea", { class: "input batch-text", attrs: { dir: "auto", rows: "5", "aria-label": t("inbox.batchText") } });
      text.value = current.map((i) => i.text.replace(/\s+/g, " ").trim()).join(" ");
      const first = current[0];
      const place = this.placeFields(first ? first.section_id : 0);
      const ok = h("button", { class: "button button-primary batch-confirm", attrs: { type: "submit" }, text: t("inbox.batchConfirm") });
      const cancel = h("button", { class: "button form-cancel", attrs: { type: "button" }, text: t("action.cancel") });
      cancel.addEventListener("click", () => {
        this.batchOpen = false;
        this.renderBatch();
      });
      const form = h("form", { class: "review-form batch-form" }, text, place.el, h("div", { class: "input-actions" }, ok, cancel));
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const value = text.value.trim();
        if (!value) return text.focus();
        const ids = [...this.selected].sort((a, b) => a - b);
        const body: { input_ids: number[]; text: string; section_id?: number; position?: number } = {
          input_ids: ids,
          text: value,
          section_id: Number(place.section.value),
        };
        if (place.position.value !== "") body.position = Number(place.position.value);
        ok.disabled = true;
        api
          .acceptBatch(this.options.meetingId, body)
          .then((result) => {
            this.selected.clear();
            this.batchOpen = false;
            for (const input of result.inputs) this.feed.put(input);
            this.render();
          })
          .catch((err: unknown) => {
            ok.disabled = false;
            this.options.notify(describe(err));
          });
      });
      replaceChildren(this.batch, h("p", { class: "batch-count", text: t("people.selected", { count: current.length }) }), form);
      text.focus();
    });
    replaceChildren(this.batch, h("p", { class: "batch-count", text: t("people.selected", { count: chosen.length }) }), start);
  }
}

/** Put into ``fresh`` (the re-rendered item of an input that was closed under an open form)
 * a notice and what was typed in the form, read-only to copy, until ``dismissed``; returns the
 * control that takes the focus from the form (null when there was no form). */
function keepTyped(old: HTMLElement, fresh: HTMLElement, input: Input, dismissed: () => void): HTMLElement | null {
  const form = old.querySelector(".review-form");
  if (!form) return null;
  const field = form.querySelector<HTMLInputElement | HTMLTextAreaElement>(".accept-text, .reject-reason");
  const shown = old.querySelector(".input-text")?.textContent ?? "";
  const typed = field ? field.value.trim() : "";
  const kept = h("div", { class: "inbox-kept" });
  kept.append(
    h("p", { class: "inbox-closed", attrs: { role: "status" }, text: t("inbox.closedWhileOpen", { status: t(STATUS_TEXT[input.status]) }) }),
  );
  let copy: HTMLTextAreaElement | null = null;
  if (typed && typed !== shown.trim()) {
    copy = h("textarea", { class: "input inbox-kept-text", attrs: { dir: "auto", rows: "3", readonly: "", "aria-label": t("inbox.keptText") } });
    copy.value = typed;
    kept.append(h("label", { class: "field-label" }, t("inbox.keptText"), copy));
  }
  const dismiss = h("button", { class: "button inbox-kept-dismiss", attrs: { type: "button" }, text: t("action.dismiss") });
  dismiss.addEventListener("click", () => {
    kept.remove();
    dismissed();
  });
  kept.append(dismiss);
  fresh.append(kept);
  return copy ?? dismiss;
}
