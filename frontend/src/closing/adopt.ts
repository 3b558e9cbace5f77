// Adopting the outcome document (docs/protocol.md, "Adopted documents"). Every page follows
// the meeting's event stream for `document.adopted` / `document.reopened` and shows the banner
// "Adopted on <date, time in the meeting's time zone>" at once; editors become read-only
// (the server refuses every room's writes meanwhile). The secretariat and the chair get
// "Adopt" (with a confirmation dialog) in the editor; the secretariat gets "Reopen…" (a
// reason is required). The state comes from GET /api/documents/{id} once the stream is caught
// up, so nothing falls between the load and the first event.

import { errorMessage, request } from "../api";
import { h, replaceChildren } from "../dom";
import { bdi, intlLocale, t, tNodes } from "../i18n";
import type { AdoptionState, Me, OutcomeDocument, StreamMessage } from "../types";

const RETRY_MS = 3_000;
const MAX_REASON = 500;

/** What the pages need to know: when the document was adopted and by whom (null: open). */
export interface Adopted {
  at: string;
  by: string | null;
}

export type AdoptionListener = (adopted: Adopted | null) => void;

/** The document's adoption, kept current from the event stream. */
export class AdoptionWatch {
  current: Adopted | null = null;
  private readonly listeners = new Set<AdoptionListener>();
  private source: EventSource | null = null;
  private stopped = false;
  // Bumped by every event, so a load that answers after an event does not undo it.
  private version = 0;

  constructor(
    private readonly meetingId: number,
    private readonly documentId: number,
  ) {}

  get adopted(): boolean {
    return this.current !== null;
  }

  /** Call `listener` on every change (not now: read `current` for the state at hand). */
  on(listener: AdoptionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.stopped || this.source !== null) return;
    // No ?after=: the stream starts now; once it is caught up ("ready") the document is read.
    const source = new EventSource(`/api/meetings/${this.meetingId}/events`);
    this.source = source;
    source.onmessage = (message: MessageEvent<string>) => {
      let event: StreamMessage;
      try {
        event = JSON.parse(message.data) as StreamMessage;
      } catch {
        return;
      }
      if (event.type === "ready") void this.load();
      else if ("document" in event && event.document.document_id === this.documentId) {
        this.version++;
        this.set(event.document);
      }
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && !this.stopped) {
        // The browser gave up (an HTTP error while reconnecting): open a new stream later.
        this.source = null;
        setTimeout(() => this.start(), RETRY_MS);
      }
    };
  }

  stop(): void {
    this.stopped = true;
    this.source?.close();
    this.source = null;
  }

  /** Take the state a REST answer (adopt, reopen) or an event carries. */
  set(state: Pick<AdoptionState, "adopted_at" | "adopted_by_name">): void {
    const next = state.adopted_at ? { at: state.adopted_at, by: state.adopted_by_name ?? null } : null;
    if (next?.at === this.current?.at) return;
    this.current = next;
    for (const listener of this.listeners) listener(next);
  }

  private async load(): Promise<void> {
    const version = this.version;
    try {
      const document = await request<OutcomeDocument>(`/api/documents/${this.documentId}`);
      if (version === this.version) {
        this.set({ adopted_at: document.adopted_at ?? null, adopted_by_name: document.adopted_by_name ?? null });
      }
    } catch {
      // Offline: the stream's next "ready" (after it reconnects) reads it again.
    }
  }
}

function format(iso: string, timeZone: string, options: Intl.DateTimeFormatOptions): string {
  const date = new Date(iso);
  try {
    return new Intl.DateTimeFormat(intlLocale(), { ...options, timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(intlLocale(), options).format(date);
  }
}

/** "Adopted on 12 February 2024, 17:05 (Asia/Dubai)", in the meeting's time zone. */
export function adoptedText(adopted: Adopted, timeZone: string): string {
  const day = format(adopted.at, timeZone, { day: "numeric", month: "long", year: "numeric" });
  const time = format(adopted.at, timeZone, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return t("adopt.on", { day, time, zone: timeZone });
}

/** The banner every page shows while the document is adopted. */
export function adoptionBanner(watch: AdoptionWatch, timeZone: string): HTMLElement {
  const banner = h("div", { class: "adopted-banner", attrs: { role: "status", "aria-live": "polite" } });
  const show = (adopted: Adopted | null): void => {
    banner.hidden = adopted === null;
    if (adopted === null) {
      replaceChildren(banner);
      return;
    }
    replaceChildren(
      banner,
      h("strong", { class: "adopted-when", text: adoptedText(adopted, timeZone) }),
      h(
        "span",
        { class: "adopted-note" },
        ...(adopted.by
          ? tNodes("adopt.byReadOnly", { name: bdi(adopted.by) })
          : tNodes("adopt.readOnly", {})),
      ),
    );
  };
  watch.on(show);
  show(watch.current);
  return banner;
}

function dialog(title: string, ...body: HTMLElement[]): HTMLDialogElement {
  const el = h("dialog", { class: "adopt-dialog" }, h("h2", { class: "adopt-dialog-title", text: title }), ...body);
  el.addEventListener("close", () => el.remove());
  return el;
}

const describe = errorMessage;

/** "Adopt" (secretariat, chair) and "Reopen…" (secretariat) for the editor's header; null for
 * the other roles. */
export function adoptionControls(
  watch: AdoptionWatch,
  me: Me,
  documentId: number,
  notify: (text: string | Node[]) => void,
): HTMLElement | null {
  const mayAdopt = me.role === "secretariat" || me.role === "chair";
  if (!mayAdopt) return null;
  const adopt = h("button", { class: "button button-primary adopt-open", attrs: { type: "button" }, text: t("adopt.adopt") });
  const reopen = h("button", { class: "button reopen-open", attrs: { type: "button" }, text: t("adopt.reopen") });
  const el = h("div", { class: "adopt-controls" }, adopt, me.role === "secretariat" ? reopen : null);
  const show = (): void => {
    adopt.hidden = watch.adopted;
    reopen.hidden = !watch.adopted;
  };
  watch.on(show);
  show();

  adopt.addEventListener("click", () => {
    const confirm = h("button", { class: "button button-primary adopt-confirm", attrs: { type: "button" }, text: t("adopt.confirm") });
    const cancel = h("button", { class: "button adopt-cancel", attrs: { type: "button" }, text: t("action.cancel") });
    const box = dialog(
      t("adopt.question"),
      h("p", { text: t("adopt.explain") }),
      h("p", { class: "muted", text: t("adopt.onlySecretariat") }),
      h("div", { class: "adopt-dialog-actions" }, confirm, cancel),
    );
    cancel.addEventListener("click", () => box.close());
    confirm.addEventListener("click", () => {
      confirm.disabled = true;
      request<AdoptionState>(`/api/documents/${documentId}/adopt`, { method: "POST", body: {} })
        .then((state) => {
          watch.set(state);
          box.close();
        })
        .catch((err: unknown) => {
          notify(describe(err));
          confirm.disabled = false;
        });
    });
    document.body.append(box);
    box.showModal();
  });

  reopen.addEventListener("click", () => {
    const reason = h("textarea", {
      class: "input reopen-reason",
      attrs: { id: "reopen-reason", rows: "3", maxlength: String(MAX_REASON), dir: "auto", "aria-required": "true" },
    });
    const problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    const confirm = h("button", { class: "button button-primary reopen-confirm", attrs: { type: "submit" }, text: t("adopt.reopenConfirm") });
    const cancel = h("button", { class: "button reopen-cancel", attrs: { type: "button" }, text: t("action.cancel") });
    const form = h(
      "form",
      { class: "reopen-form" },
      h("p", { text: t("adopt.staysLocked") }),
      h("label", { class: "field-label", attrs: { for: reason.id }, text: t("adopt.why") }),
      reason,
      problem,
      h("div", { class: "adopt-dialog-actions" }, confirm, cancel),
    );
    const box = dialog(t("adopt.reopenQuestion"), form);
    cancel.addEventListener("click", () => box.close());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const text = reason.value.trim();
      if (!text) {
        problem.textContent = t("adopt.giveReason");
        reason.focus();
        return;
      }
      confirm.disabled = true;
      request<AdoptionState>(`/api/documents/${documentId}/reopen`, { method: "POST", body: { reason: text } })
        .then((state) => {
          watch.set(state);
          box.close();
          notify(t("adopt.reopened"));
        })
        .catch((err: unknown) => {
          problem.textContent = describe(err);
          confirm.disabled = false;
        });
    });
    document.body.append(box);
    box.showModal();
    reason.focus();
  });
  return el;
}
