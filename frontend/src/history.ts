// A section's history panel: its revisions (who, when, why), a readable diff between any two
// or against the live text, a revision's full text, and restore (secretariat). Text arrives from
// the API and is shown through textContent only. When the server has no history endpoints, the
// panel says so instead of failing.

import { ApiError, api, errorMessage } from "./api";
import { armedButton, keepingFocus } from "./armed";
import { diffParagraphs, meetingTime } from "./closing/versions";
import { h, replaceChildren } from "./dom";
import { type MessageKey, nameList, t } from "./i18n";
import { arabicLang, inline } from "./markdown";
import { statusLabel } from "./sections";
import type { Diff, Revision, SectionStatus } from "./types";

// The reasons the server records under fixed names; others (an input's number) stay as sent.
const REASON: Record<string, MessageKey> = {
  edit: "history.reason.edit",
  "board note promoted": "history.reason.promoted",
};
/** The server's reason in the page's language: fixed names, and its two patterns. */
const reasonText = (reason: string): string => {
  const key = REASON[reason];
  if (key) return t(key);
  // "status: agreed by NAME" and "status: draft, agreed text edited by NAME" (docs/protocol.md)
  const edited = /^status: draft, agreed text edited by (.+)$/s.exec(reason);
  if (edited) return t("history.reason.agreedEdited", { name: edited[1] ?? "" });
  const status = /^status: (draft|agreed|locked)(?: by (.+))?$/s.exec(reason);
  if (status) {
    const label = statusLabel(status[1] as SectionStatus);
    return status[2] ? t("history.reason.statusBy", { status: label, name: status[2] }) : label;
  }
  const restored = /^restored from v(\d+)$/.exec(reason);
  if (restored) return t("history.reason.restored", { n: restored[1] ?? "" });
  const input = /^inputs? (#\d+(?:, #\d+)*) from groups? ([A-Z](?:, [A-Z])*)$/.exec(reason);
  if (input) {
    const numbers = input[1] ?? "";
    return t("history.reason.inputs", { count: numbers.split(",").length, numbers, groups: input[2] ?? "" });
  }
  return reason;
};

function option(value: string, text: string): HTMLOptionElement {
  const el = h("option", { attrs: { value }, text });
  return el;
}

/** Each paragraph of the diff in its own direction (an Arabic one right to left beside an
 * English one), as the versions panel shows it. */
function diffView(diff: Diff): HTMLElement {
  const out = diffParagraphs(diff.hunks);
  out.classList.add("diff");
  for (const p of out.querySelectorAll("p")) if (arabicLang(p.textContent ?? "")) p.lang = "ar";
  if (diff.hunks.every((hunk) => hunk.op === "equal")) {
    out.prepend(h("p", { class: "muted", text: t("history.noDifference") }));
  }
  return out;
}

function textView(text: string): HTMLElement {
  const out = h("div", { class: "revision-text" });
  for (const line of text.split("\n")) {
    const p = h("p", { attrs: { dir: "auto" } });
    p.append(...inline(line));
    out.append(p);
  }
  return out;
}

export class HistoryPanel {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly output: HTMLElement;
  private readonly from: HTMLSelectElement;
  private readonly to: HTMLSelectElement;
  private revisions: Revision[] = [];
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly documentId: number,
    private readonly sectionId: number,
    private readonly canRestore: boolean,
    private readonly notify: (text: string | Node[]) => void,
    private readonly timeZone: string,
  ) {
    this.list = h("ol", { class: "revisions" });
    this.output = h("div", { class: "history-output", attrs: { "aria-live": "polite" } });
    this.from = h("select", { class: "history-from", attrs: { "aria-label": t("versions.compareFrom") } });
    this.to = h("select", { class: "history-to", attrs: { "aria-label": t("history.compareTo") } });
    const compare = h("button", { class: "button", attrs: { type: "button" }, text: t("versions.compare") });
    compare.addEventListener("click", () => void this.compare());
    this.el = h(
      "div",
      { class: "history", attrs: { "data-section-id": String(sectionId) } },
      h("h3", { class: "history-heading", text: t("history.title") }),
      h("div", { class: "history-body" }, this.list),
      h(
        "div",
        { class: "history-compare" },
        h("span", { text: t("versions.compareWord") }),
        this.from,
        h("span", { text: t("versions.withWord") }),
        this.to,
        compare,
      ),
      this.output,
    );
  }

  /** Read the revisions again in `delayMs` (a later call moves it): the panel follows the
   * section while it is open. A revision is taken when a status changes (at once) and when the
   * text has rested a few seconds, so the page calls this after each. */
  refresh(delayMs: number): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (this.el.isConnected) void this.load(true);
    }, delayMs);
  }

  close(): void {
    if (this.refreshTimer !== null) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }

  async load(quiet = false): Promise<void> {
    if (!quiet) replaceChildren(this.list, h("li", { class: "muted", text: t("history.loading") }));
    const before = JSON.stringify(this.revisions);
    try {
      this.revisions = await api.revisions(this.documentId, this.sectionId);
    } catch (err) {
      const notThere = err instanceof ApiError && (err.status === 404 || err.status === 405);
      this.el.classList.add("history-unavailable");
      replaceChildren(
        this.list,
        h("li", {
          class: "muted",
          text: notThere
            ? t("history.unavailable")
            : t("history.unreadable", { detail: errorMessage(err) }),
        }),
      );
      return;
    }
    this.el.classList.remove("history-unavailable");
    // A quiet refresh that found nothing new leaves the list (and the focus in it) alone.
    if (quiet && JSON.stringify(this.revisions) === before) return;
    this.renderList();
  }

  private renderList(): void {
    const newest = [...this.revisions].sort((a, b) => b.number - a.number);
    keepingFocus(this.list, () => {
      if (newest.length === 0) {
        replaceChildren(this.list, h("li", { class: "muted", text: t("history.empty") }));
      } else {
        replaceChildren(this.list, ...newest.map((rev) => this.row(rev)));
      }
    });
    // A refresh keeps what the reader chose to compare (when it still exists).
    const [from, to] = [this.from.value, this.to.value];
    const choices = newest.map((rev) => option(String(rev.number), `v${rev.number}`));
    replaceChildren(this.from, ...choices.map((o) => o.cloneNode(true)));
    replaceChildren(this.to, option("live", t("history.liveText")), ...choices.map((o) => o.cloneNode(true)));
    const known = (value: string): boolean => newest.some((rev) => String(rev.number) === value);
    this.from.value = from && known(from) ? from : newest[0] ? String(newest[0].number) : "";
    this.to.value = to && (to === "live" || known(to)) ? to : "live";
  }

  private row(rev: Revision): HTMLElement {
    // Each name in its own <bdi>: a U+202E in one cannot reverse the list around it.
    const authors = nameList(rev.authors.map((a) => a.name), "revision-author");
    const view = h("button", {
      class: "link-button",
      attrs: { type: "button", "data-focus": `view:${rev.number}` },
      text: t("history.view"),
    });
    view.addEventListener("click", () => void this.show(rev.number));
    const li = h(
      "li",
      { class: "revision", attrs: { "data-revision": String(rev.number) } },
      h("span", { class: "revision-number", text: t("history.v", { n: rev.number }) }),
      h("time", {
        class: "revision-time",
        attrs: { datetime: rev.created_at },
        text: meetingTime(rev.created_at, this.timeZone),
      }),
      h("span", { class: "revision-reason", attrs: { dir: "auto" }, text: reasonText(rev.reason) }),
      authors.length ? h("span", { class: "revision-authors" }, ...authors) : null,
      view,
    );
    if (this.canRestore) {
      // Two presses; the armed state outlives a refresh of the list by another recorder's edit,
      // so what the button says is always what the next press does.
      const restore = armedButton({
        key: `revision:${this.documentId}:${this.sectionId}:${rev.number}:restore`,
        text: t("history.restore"),
        confirmText: t("history.confirmRestore", { n: rev.number }),
        className: "link-button revision-restore",
        act: () => void this.restore(rev.number, restore),
      });
      li.append(restore);
    }
    return li;
  }

  private async show(n: number): Promise<void> {
    try {
      const rev = await api.revision(this.documentId, this.sectionId, n);
      replaceChildren(
        this.output,
        h("p", { class: "history-caption", text: t("history.textOf", { n }) }),
        textView(rev.text),
      );
    } catch (err) {
      this.notify(errorMessage(err));
    }
  }

  private async compare(): Promise<void> {
    const from = Number(this.from.value);
    const to = this.to.value === "live" ? "live" : Number(this.to.value);
    if (!from) return;
    try {
      const diff = await api.diff(this.documentId, this.sectionId, from, to);
      replaceChildren(
        this.output,
        h("p", {
          class: "history-caption",
          text: to === "live" ? t("history.changesToLive", { from }) : t("history.changes", { from, to }),
        }),
        diffView(diff),
      );
    } catch (err) {
      this.notify(errorMessage(err));
    }
  }

  /** The second press of a revision's Restore. */
  private async restore(n: number, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await api.restore(this.documentId, this.sectionId, n);
      await this.load();
    } catch (err) {
      this.notify(errorMessage(err));
      button.disabled = false;
    }
  }
}
