// The frame every page shares: header (meeting, who you are, connection status), the agenda
// strip and the main region the page fills. Also the full-page messages (signed out, errors).

import { renderAgendaStrip } from "./agenda";
import { h, replaceChildren } from "./dom";
import { LANGUAGES, type MessageKey, lang, nativeName, switchLang, t } from "./i18n";
import { autoDir } from "./render";
import { StatusIndicator } from "./status";
import type { AgendaItem, Me, Meeting, Role } from "./types";

const ROLE_KEY: Record<Role, MessageKey> = {
  secretariat: "role.secretariat",
  chair: "role.chair",
  rapporteur: "role.rapporteur",
  participant: "role.participant",
  projector: "role.projector",
};

export function roleName(role: string): string {
  const key = ROLE_KEY[role as Role];
  return key ? t(key) : role;
}

export function roleLabel(me: Me): string {
  const label = roleName(me.role);
  return me.group_code ? t("role.withGroup", { role: label, group: me.group_code }) : label;
}

/** The language switch every page shows: each language named in itself, remembered. */
export function languageSwitch(): HTMLElement {
  const nav = h("nav", { class: "lang-switch", attrs: { "aria-label": t("lang.switch") } });
  for (const code of LANGUAGES) {
    const button = h("button", {
      class: "lang-option",
      attrs: { type: "button", lang: code, "data-lang": code, "aria-pressed": String(code === lang()) },
      text: nativeName(code),
    });
    button.addEventListener("click", () => {
      if (code !== lang()) switchLang(code);
    });
    nav.append(button);
  }
  return nav;
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
      h("span", { class: "visually-hidden", text: t("shell.signedInAs") }),
      autoDir("span", me.name, "who-name"),
      h("span", { class: "who-role", text: roleLabel(me) }),
    );
    const header = h(
      "header",
      { class: "topbar" },
      h(
        "div",
        { class: "topbar-inner" },
        h("p", { class: "brand", text: t("app.name") }),
        this.meetingTitle,
        h(
          "div",
          { class: "topbar-meta" },
          // The secretariat sets its meeting up on /m/{id}/setup (frontend/src/setup/).
          me.role === "secretariat"
            ? h("a", { class: "setup-link", attrs: { href: `/m/${meeting.id}/setup` }, text: t("shell.setUp") })
            : null,
          who,
          this.status.el,
          languageSwitch(),
        ),
      ),
    );
    this.agenda = h("section", { class: "agenda", attrs: { "aria-label": t("agenda.label") } });
    this.main = h("main", { class: "main", attrs: { id: "main", tabindex: "-1" } });
    const skip = h("a", { class: "skip-link", attrs: { href: "#main" }, text: t("shell.skip") });
    this.notice = h("div", { class: "notice", attrs: { role: "status", "aria-live": "polite" } });
    this.notice.hidden = true;
    replaceChildren(root, skip, header, this.agenda, this.main, this.notice);
    root.removeAttribute("aria-busy");
  }

  /** A short message at the bottom of the screen (a refused change, a saved checkpoint). */
  notify(text: string | Node[]): void {
    if (typeof text === "string") this.notice.textContent = text;
    else this.notice.replaceChildren(...text);
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
  document.title = t("shell.pageTitle", { title: options.title });
  const box = h(
    "main",
    { class: "message", attrs: { id: "main" } },
    languageSwitch(),
    h("p", { class: "brand", text: t("app.name") }),
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
    title: t("signedOut.title"),
    text: t("signedOut.text"),
    ...(detail ? { detail } : {}),
  });
}
