// The frame every page shares: header (meeting, who you are, connection status), the agenda
// strip and the main region the page fills. Also the full-page messages (signed out, errors).

import { renderAgendaStrip } from "./agenda";
import { h, replaceChildren } from "./dom";
import { autoDir } from "./render";
import { StatusIndicator } from "./status";
import type { AgendaItem, Me, Meeting, Role } from "./types";

const ROLE_LABEL: Record<Role, string> = {
  secretariat: "Secretariat",
  chair: "Chair",
  rapporteur: "Rapporteur",
  participant: "Participant",
  projector: "Projector",
};

export function roleLabel(me: Me): string {
  const label = ROLE_LABEL[me.role] ?? me.role;
  return me.group_code ? `${label}, group ${me.group_code}` : label;
}

const HEX_COLOR = /^#[0-9a-fA-F]{6}$/;

export class Shell {
  readonly main: HTMLElement;
  readonly status = new StatusIndicator();
  private readonly meetingTitle: HTMLElement;
  private readonly agenda: HTMLElement;
  private readonly notice: HTMLElement;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(root: HTMLElement, me: Me, meeting: Meeting, variant: string) {
    document.body.classList.add(`page-${variant}`);
    this.meetingTitle = autoDir("p", meeting.title, "meeting-title");
    const dot = h("span", { class: "who-dot", attrs: { "aria-hidden": "true" } });
    // CSSOM, not a style attribute: the CSP allows the former and forbids the latter.
    if (HEX_COLOR.test(me.color)) dot.style.backgroundColor = me.color;
    const who = h(
      "p",
      { class: "who" },
      dot,
      h("span", { class: "visually-hidden", text: "Signed in as " }),
      autoDir("span", me.name, "who-name"),
      h("span", { class: "who-role", text: roleLabel(me) }),
    );
    const header = h(
      "header",
      { class: "topbar" },
      h(
        "div",
        { class: "topbar-inner" },
        h("p", { class: "brand", text: "Outcomes" }),
        this.meetingTitle,
        h(
          "div",
          { class: "topbar-meta" },
          // The secretariat sets its meeting up on /m/{id}/setup (frontend/src/setup/).
          me.role === "secretariat"
            ? h("a", { class: "setup-link", attrs: { href: `/m/${meeting.id}/setup` }, text: "Set up" })
            : null,
          who,
          this.status.el,
        ),
      ),
    );
    this.agenda = h("section", { class: "agenda", attrs: { "aria-label": "Agenda" } });
    this.main = h("main", { class: "main", attrs: { id: "main", tabindex: "-1" } });
    const skip = h("a", { class: "skip-link", attrs: { href: "#main" }, text: "Skip to content" });
    this.notice = h("div", { class: "notice", attrs: { role: "status", "aria-live": "polite" } });
    this.notice.hidden = true;
    replaceChildren(root, skip, header, this.agenda, this.main, this.notice);
    root.removeAttribute("aria-busy");
  }

  /** A short message at the bottom of the screen (a refused change, a saved checkpoint). */
  notify(text: string): void {
    this.notice.textContent = text;
    this.notice.hidden = false;
    if (this.noticeTimer !== null) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      this.notice.hidden = true;
    }, 6_000);
  }

  /** Refresh header and agenda; returns the agenda item running now. */
  update(
    meeting: Meeting,
    agenda: readonly AgendaItem[],
    onPick: ((item: AgendaItem) => void) | null = null,
  ): AgendaItem | null {
    if (this.meetingTitle.textContent !== meeting.title) {
      replaceChildren(this.meetingTitle, meeting.title);
    }
    return renderAgendaStrip(this.agenda, meeting, agenda, onPick);
  }
}

export interface MessageOptions {
  title: string;
  text: string;
  detail?: string;
  kind?: "signed-out" | "error" | "not-found";
  link?: { href: string; text: string };
}

/** A whole-page message, e.g. "Open your join link". */
export function showMessage(root: HTMLElement, options: MessageOptions): void {
  document.body.className = `page-message message-${options.kind ?? "error"}`;
  document.title = `${options.title} — Outcomes`;
  const box = h(
    "main",
    { class: "message", attrs: { id: "main" } },
    h("p", { class: "brand", text: "Outcomes" }),
    h("h1", { class: "message-title", text: options.title }),
    h("p", { class: "message-text", text: options.text }),
  );
  if (options.detail) box.append(h("p", { class: "message-detail", text: options.detail }));
  if (options.link) {
    box.append(
      h("p", {}, h("a", { class: "button", attrs: { href: options.link.href }, text: options.link.text })),
    );
  }
  replaceChildren(root, box);
  root.removeAttribute("aria-busy");
}

export function showSignedOut(root: HTMLElement, detail?: string): void {
  showMessage(root, {
    kind: "signed-out",
    title: "Open your join link",
    text:
      "This page shows the meeting's outcome document to the people taking part. Open the " +
      "personal join link you were sent (it looks like …/join/…) on this device; if it no " +
      "longer works, ask the meeting secretariat for a new one.",
    ...(detail ? { detail } : {}),
  });
}
