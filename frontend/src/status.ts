// The connection indicator in the header: "up to date", "offline, retrying", ...

import { h } from "./dom";
import type { ConnectionState } from "./source";

function clock(date: Date): string {
  return date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export class StatusIndicator {
  readonly el: HTMLElement;
  private readonly label: HTMLElement;

  constructor() {
    this.label = h("span", { class: "status-label", text: "connecting…" });
    this.el = h(
      "p",
      {
        class: "status status-connecting",
        attrs: { role: "status", "aria-live": "polite", "data-state": "connecting" },
      },
      h("span", { class: "status-dot", attrs: { "aria-hidden": "true" } }),
      this.label,
    );
  }

  set(state: ConnectionState): void {
    let text: string;
    let title: string;
    switch (state.kind) {
      case "connecting":
        text = "connecting…";
        title = "Reading the document from the server";
        break;
      case "live":
        text = "up to date";
        title = `Checked at ${clock(state.checkedAt)}; the page refreshes by itself`;
        break;
      case "offline":
        text = "offline, retrying";
        title = `${state.error.detail} Next try at ${clock(state.retryAt)}.`;
        break;
      case "signed-out":
        text = "signed out";
        title = state.error.detail;
        break;
      case "failed":
        text = "error";
        title = state.error.detail;
        break;
    }
    this.el.className = `status status-${state.kind}`;
    this.el.dataset["state"] = state.kind;
    this.el.title = title;
    if (this.label.textContent !== text) this.label.textContent = text;
  }
}
