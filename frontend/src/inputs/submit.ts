// The group page's "Inputs for the secretariat": a rapporteur proposes text for the outcome
// document (typed, a selection of the group's draft, or one of its paragraphs), then follows
// what the secretariat did with it, live. Submissions go through an outbox kept in
// localStorage: each has its Idempotency-Key from the start, keeps it until the server has
// answered, and is retried when the connection returns, so a flaky phone creates exactly one
// input per submission, even across a reload.

import type { EditorView } from "@codemirror/view";
import type * as Y from "yjs";

import { ApiError, api, errorMessage } from "../api";
import { h, placeChildren, replaceChildren } from "../dom";
import { t, tBdi } from "../i18n";
import { autoDir } from "../render";
import { readSections } from "../sections";
import type { Input, Me, SectionMeta } from "../types";
import { InputFeed, newKey, paragraphs } from "./feed";
import { inputMeta, inputOutcome, statusBadge } from "./view";

const RETRY_MS = 5_000;
const MAX_TEXT = 5_000;

interface Pending {
  key: string;
  text: string;
  section_id: number | null;
  queued_at: string;
}

/** Submissions not yet answered by the server, in order, kept in localStorage. */
class Outbox {
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly storageKey: string,
    private readonly meetingId: number,
    private readonly sent: (input: Input) => void,
    private readonly failed: (text: string, err: ApiError) => void,
    private readonly changed: () => void,
  ) {
    window.addEventListener("online", () => void this.flush());
  }

  items(): Pending[] {
    try {
      const raw = localStorage.getItem(this.storageKey);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? (parsed as Pending[]) : [];
    } catch {
      return [];
    }
  }

  private save(items: Pending[]): void {
    try {
      if (items.length) localStorage.setItem(this.storageKey, JSON.stringify(items));
      else localStorage.removeItem(this.storageKey);
    } catch {
      // Storage full or disabled: the submission still goes out while the page is open.
    }
  }

  add(text: string, sectionId: number | null): void {
    this.save([...this.items(), { key: newKey(), text, section_id: sectionId, queued_at: new Date().toISOString() }]);
    this.changed();
    void this.flush();
  }

  /** Send what is waiting, oldest first; stop at the first transient failure and retry later. */
  async flush(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    try {
      for (;;) {
        const next = this.items()[0];
        if (!next) break;
        try {
          const body: { text: string; section_id?: number } = { text: next.text };
          if (next.section_id !== null) body.section_id = next.section_id;
          const input = await api.submitInput(this.meetingId, body, next.key);
          this.remove(next.key);
          this.sent(input);
        } catch (err) {
          const error = err instanceof ApiError ? err : new ApiError(0, "network", String(err));
          if (error.transient || error.status === 429) {
            this.timer = setTimeout(() => void this.flush(), RETRY_MS);
            break;
          }
          // Refused for good (too long, no longer a rapporteur…): say so and drop it.
          this.remove(next.key);
          this.failed(next.text, error);
        }
      }
    } finally {
      this.busy = false;
      this.changed();
    }
  }

  private remove(key: string): void {
    this.save(this.items().filter((item) => item.key !== key));
  }
}

export interface SubmitPanelOptions {
  me: Me;
  meetingId: number;
  groupCode: string;
  timeZone: string;
  /** The document room's server-owned `sections` map (the target section choices). */
  sections: Y.Map<unknown>;
  notify(text: string | Node[]): void;
}

export class SubmitPanel {
  readonly el: HTMLElement;
  private readonly feed: InputFeed;
  private readonly outbox: Outbox | null;
  private readonly list = h("ol", { class: "input-list", attrs: { "aria-live": "polite" } });
  private readonly textarea: HTMLTextAreaElement;
  private readonly select: HTMLSelectElement;
  private readonly items = new Map<number, { el: HTMLElement; version: number }>();
  private readonly editing = new Set<number>();
  private readonly mayWrite: boolean;

  constructor(private readonly options: SubmitPanelOptions) {
    const { me, groupCode } = options;
    this.mayWrite = me.role === "rapporteur" && me.group_code === groupCode;
    this.feed = new InputFeed(options.meetingId);
    this.textarea = h("textarea", {
      class: "input submit-text",
      attrs: { dir: "auto", rows: "4", maxlength: String(MAX_TEXT), id: "submit-text", placeholder: t("submit.placeholder") },
    });
    this.select = h("select", { class: "input submit-section", attrs: { id: "submit-section" } });
    const send = h("button", { class: "button button-primary submit-send", attrs: { type: "submit" }, text: t("submit.send") });
    const form = h(
      "form",
      { class: "submit-form" },
      h("label", { class: "field-label", attrs: { for: "submit-text" }, text: t("submit.text") }),
      this.textarea,
      h("label", { class: "field-label", attrs: { for: "submit-section" }, text: t("submit.section") }),
      this.select,
      send,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.submit(this.textarea.value)) this.textarea.value = "";
      else this.textarea.focus();
    });
    this.el = h(
      "section",
      { class: "group-submit", attrs: { "data-slot": "submit-inputs", "aria-labelledby": "group-submit-title" } },
      h("h2", { class: "group-section-heading", attrs: { id: "group-submit-title" }, text: t("inputs.forSecretariat") }),
      this.mayWrite
        ? h("p", { class: "muted", text: t("submit.help") })
        : h("p", { class: "muted", text: t("submit.helpReader") }),
      this.mayWrite ? form : null,
      h("h3", { class: "input-list-heading", text: t("submit.ours") }),
      this.list,
    );
    this.outbox = this.mayWrite
      ? new Outbox(
          `outcomes:outbox:${options.meetingId}:${me.id}`,
          options.meetingId,
          (input) => this.feed.put(input),
          (text, err) => options.notify(tBdi("submit.notSent", { text: text.slice(0, 40), detail: err.detail })),
          () => this.render(),
        )
      : null;
    options.sections.observe(() => this.fillSections());
    this.fillSections();
    this.feed.on(() => {
      this.el.dataset["live"] = String(this.feed.live);
      this.render();
    });
    this.render();
    void this.feed.start();
    void this.outbox?.flush();
  }

  /** Close its event stream (the page is laid out again). */
  stop(): void {
    this.feed.stop();
  }

  /** Queue `text` for the chosen section; false if there is nothing to send. */
  submit(text: string, sectionId?: number): boolean {
    const clean = text.trim();
    if (!this.outbox || !clean) return false;
    if (clean.length > MAX_TEXT) {
      this.options.notify(t("submit.tooLong", { max: MAX_TEXT }));
      return false;
    }
    const chosen = sectionId ?? (Number(this.select.value) || null);
    this.outbox.add(clean, chosen);
    return true;
  }

  /** "Submit selection" and the per-paragraph actions under the group's draft. */
  draftTools(view: EditorView, draft: Y.Text): HTMLElement | null {
    if (!this.mayWrite) return null;
    const selection = h("button", { class: "button submit-selection", attrs: { type: "button" }, text: t("submit.selection") });
    selection.addEventListener("click", () => {
      const { from, to } = view.state.selection.main;
      const text = view.state.sliceDoc(from, to).trim();
      if (!text) {
        this.options.notify(t("submit.selectFirst"));
        return;
      }
      if (this.submit(text)) this.options.notify(t("submit.sent"));
    });
    const list = h("ol", { class: "draft-paragraphs" });
    const details = h(
      "details",
      { class: "draft-submit" },
      h("summary", { text: t("submit.paragraph") }),
      list,
    );
    const fill = (): void => {
      const items = paragraphs(draft.toString()).map((text) => {
        const send = h("button", { class: "button draft-paragraph-submit", attrs: { type: "button" }, text: t("submit.submit") });
        send.addEventListener("click", () => {
          if (this.submit(text)) this.options.notify(t("submit.sent"));
        });
        const edit = h("button", { class: "button draft-paragraph-edit", attrs: { type: "button" }, text: t("submit.editFirst") });
        edit.addEventListener("click", () => {
          this.textarea.value = text;
          this.textarea.focus();
          this.textarea.scrollIntoView({ block: "center" });
        });
        return h("li", { class: "draft-paragraph" }, autoDir("p", text, "draft-paragraph-text"), h("div", { class: "draft-paragraph-tools" }, send, edit));
      });
      replaceChildren(list, ...(items.length ? items : [h("li", { class: "muted", text: t("submit.draftEmpty") })]));
    };
    let frame: number | null = null;
    draft.observe(() => {
      if (frame === null) {
        frame = requestAnimationFrame(() => {
          frame = null;
          fill();
        });
      }
    });
    fill();
    return h("div", { class: "draft-tools" }, selection, details);
  }

  private fillSections(): void {
    const previous = this.select.value;
    const metas: SectionMeta[] = readSections(this.options.sections).filter((m) => m.status !== "locked");
    const own = metas.find((m) => m.group_code === this.options.groupCode);
    replaceChildren(
      this.select,
      ...metas.map((m) =>
        h("option", { attrs: { value: String(m.id), dir: "auto" }, text: m.group_code === this.options.groupCode ? t("submit.ourSection", { title: m.title }) : m.title }),
      ),
    );
    if (previous && metas.some((m) => String(m.id) === previous)) this.select.value = previous;
    else if (own) this.select.value = String(own.id);
  }

  private render(): void {
    const { groupCode } = this.options;
    const inputs = this.feed.list().filter((i) => i.group_code === groupCode).reverse();
    const pending = this.outbox?.items() ?? [];
    const children: HTMLElement[] = pending
      .slice()
      .reverse()
      .map((p) =>
        h(
          "li",
          { class: "input-item is-pending", attrs: { "data-status": "pending" } },
          h("span", { class: "input-status input-status-pending", text: t("submit.waiting") }),
          autoDir("p", p.text, "input-text"),
          h("p", { class: "input-outcome-line muted", text: t("submit.pending") }),
        ),
      );
    for (const input of inputs) {
      let item = this.items.get(input.id);
      if (!item || item.version !== input.version || (item.el.dataset["status"] !== input.status)) {
        if (item && this.editing.has(input.id) && item.version === input.version) {
          children.push(item.el);
          continue;
        }
        this.editing.delete(input.id);
        const el = this.renderItem(input);
        item?.el.replaceWith(el);
        item = { el, version: input.version };
        this.items.set(input.id, item);
      }
      children.push(item.el);
    }
    if (children.length === 0) {
      const empty = this.feed.error
        ? this.feed.error.status === 403
          ? t("submit.private")
          : this.feed.error.detail
        : t("submit.none");
      children.push(h("li", { class: "input-empty muted", text: empty }));
    }
    placeChildren(this.list, children);
  }

  private renderItem(input: Input): HTMLElement {
    const tz = this.options.timeZone;
    const el = h(
      "li",
      { class: `input-item input-${input.status}`, attrs: { "data-input-id": String(input.id), "data-status": input.status } },
      h("div", { class: "input-item-head" }, statusBadge(input), inputMeta(input, tz, { group: false })),
      autoDir("p", input.text, "input-text"),
      inputOutcome(input, tz),
    );
    if (this.mayWrite && input.status === "submitted") {
      const edit = h("button", { class: "button input-edit", attrs: { type: "button" }, text: t("action.edit") });
      const withdraw = h("button", { class: "button input-withdraw", attrs: { type: "button" }, text: t("submit.withdraw") });
      edit.addEventListener("click", () => this.startEdit(input, el));
      withdraw.addEventListener("click", () => {
        withdraw.disabled = true;
        api
          .withdrawInput(input.id, input.version)
          .then((updated) => this.feed.put(updated))
          .catch((err: unknown) => {
            withdraw.disabled = false;
            this.options.notify(errorMessage(err));
          });
      });
      el.append(h("div", { class: "input-actions" }, edit, withdraw));
    }
    return el;
  }

  private startEdit(input: Input, el: HTMLElement): void {
    this.editing.add(input.id);
    const area = h("textarea", { class: "input input-edit-text", attrs: { dir: "auto", rows: "4", maxlength: String(MAX_TEXT), "aria-label": t("submit.editLabel") } });
    area.value = input.text;
    const save = h("button", { class: "button button-primary input-edit-save", attrs: { type: "submit" }, text: t("action.save") });
    const cancel = h("button", { class: "button input-edit-cancel", attrs: { type: "button" }, text: t("action.cancel") });
    const form = h("form", { class: "input-edit-form" }, area, h("div", { class: "input-actions" }, save, cancel));
    const done = (): void => {
      this.editing.delete(input.id);
      this.items.delete(input.id);
      this.render();
    };
    cancel.addEventListener("click", done);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = area.value.trim();
      if (!text || text === input.text) {
        done();
        return;
      }
      save.disabled = true;
      api
        .editInput(input.id, { text }, input.version)
        .then((updated) => {
          this.editing.delete(input.id);
          this.feed.put(updated);
        })
        .catch((err: unknown) => {
          save.disabled = false;
          this.options.notify(errorMessage(err));
        });
    });
    el.querySelector(".input-actions")?.replaceWith(form);
    el.querySelector(".input-text")?.setAttribute("hidden", "");
    area.focus();
  }
}
