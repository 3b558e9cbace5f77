// The connection indicator in the header: "connected", "reconnecting…", "offline", and
// "N changes not yet saved" until the server has committed them (sync/saved.ts).

import { h } from "./dom";
import type { LinkState, RoomStatus } from "./sync/room";

const LABEL: Record<LinkState, string> = {
  connecting: "connecting…",
  connected: "connected",
  reconnecting: "reconnecting…",
  offline: "offline",
  "signed-out": "signed out",
  forbidden: "no access",
  failed: "error",
};

const TITLE: Record<LinkState, string> = {
  connecting: "Opening the live document",
  connected: "Live: changes reach the server and every screen at once",
  reconnecting: "The connection dropped; trying again. What you type is kept on this device.",
  offline: "This device is offline. What you type is kept on it and sent when it reconnects.",
  "signed-out": "Your join link is no longer valid: ask the secretariat for a new one.",
  forbidden: "Your join link does not give access to this page's live text.",
  failed: "The live connection failed. Reload the page to try again.",
};

export function unsavedText(count: number): string {
  if (count === 0) return "all changes saved";
  return count === 1 ? "1 change not yet saved" : `${count} changes not yet saved`;
}

export class StatusIndicator {
  readonly el: HTMLElement;
  private readonly label: HTMLElement;
  private readonly unsaved: HTMLElement;

  constructor() {
    this.label = h("span", { class: "status-label", text: LABEL.connecting });
    this.unsaved = h("span", { class: "status-unsaved", attrs: { "data-count": "0" } });
    this.el = h(
      "p",
      {
        class: "status status-connecting",
        attrs: { role: "status", "aria-live": "polite", "data-state": "connecting" },
      },
      h("span", { class: "status-dot", attrs: { "aria-hidden": "true" } }),
      this.label,
      this.unsaved,
    );
  }

  set(status: RoomStatus, options: { tracksSaving: boolean }): void {
    const link = status.link;
    this.el.className = `status status-${link}${status.unsaved > 0 ? " has-unsaved" : ""}`;
    this.el.dataset["state"] = link;
    this.el.title = TITLE[link];
    if (this.label.textContent !== LABEL[link]) this.label.textContent = LABEL[link];
    const text = options.tracksSaving ? unsavedText(status.unsaved) : "";
    this.unsaved.dataset["count"] = String(status.unsaved);
    if (this.unsaved.textContent !== text) this.unsaved.textContent = text;
    this.unsaved.hidden = text === "";
  }
}
