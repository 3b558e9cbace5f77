// The connection indicator in the header: "connected", "reconnecting…", "offline", and
// "N changes not yet saved" until the server has committed them (sync/saved.ts), and why the
// room started over under a new identity after a client-id clash (sync/rekey.ts).

import { h } from "./dom";
import { type MessageKey, t } from "./i18n";
import type { LinkState, RoomStatus } from "./sync/room";

const LABEL: Record<LinkState, MessageKey> = {
  connecting: "status.connecting",
  connected: "status.connected",
  reconnecting: "status.reconnecting",
  offline: "status.offline",
  "signed-out": "status.signedOut",
  forbidden: "status.forbidden",
  failed: "status.failed",
};

const TITLE: Record<LinkState, MessageKey> = {
  connecting: "status.connecting.title",
  connected: "status.connected.title",
  reconnecting: "status.reconnecting.title",
  offline: "status.offline.title",
  "signed-out": "status.signedOut.title",
  forbidden: "status.forbidden.title",
  failed: "status.failed.title",
};

export function unsavedText(count: number): string {
  return t("status.unsaved", { count });
}

export class StatusIndicator {
  readonly el: HTMLElement;
  private readonly label: HTMLElement;
  private readonly unsaved: HTMLElement;
  private readonly notice: HTMLElement;

  constructor() {
    this.label = h("span", { class: "status-label", text: t(LABEL.connecting) });
    this.unsaved = h("span", { class: "status-unsaved", attrs: { "data-count": "0" } });
    this.notice = h("span", { class: "status-notice", text: t("status.rekeyed") });
    this.notice.hidden = true;
    this.el = h(
      "p",
      {
        class: "status status-connecting",
        attrs: { role: "status", "aria-live": "polite", "data-state": "connecting" },
      },
      h("span", { class: "status-dot", attrs: { "aria-hidden": "true" } }),
      this.label,
      this.unsaved,
      this.notice,
    );
  }

  set(status: RoomStatus, options: { tracksSaving: boolean }): void {
    const link = status.link;
    this.el.className = `status status-${link}${status.unsaved > 0 ? " has-unsaved" : ""}`;
    this.el.dataset["state"] = link;
    this.el.title = t(TITLE[link]);
    const label = t(LABEL[link]);
    if (this.label.textContent !== label) this.label.textContent = label;
    const text = options.tracksSaving ? unsavedText(status.unsaved) : "";
    this.unsaved.dataset["count"] = String(status.unsaved);
    if (this.unsaved.textContent !== text) this.unsaved.textContent = text;
    this.unsaved.hidden = text === "";
    // Not a state of the link: the page writes again, under a new id, and says why once.
    this.notice.hidden = !status.rekeyed;
  }
}
