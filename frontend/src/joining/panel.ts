// The secretariat's "Joining" panel on the editor page: the room-wide open join link (issue,
// revoke, show its QR code on the projector, hide it) and the printable join cards (a PDF with
// a new personal link per person). The open link's URL is only known to the page that issued
// it (the server keeps its hash): "Show on projector" sends it back to be checked.

import "./joining.css";

import { ApiError } from "../api";
import { h } from "../dom";
import { type OpenLinkIssued, type OpenLinkStatus, downloadCards, joiningApi } from "./api";

const REFRESH_MS = 10_000;

function button(text: string, className: string): HTMLButtonElement {
  return h("button", { class: `button ${className}`, attrs: { type: "button" }, text });
}

function describe(err: unknown): string {
  return err instanceof ApiError ? err.detail : String(err);
}

function when(iso: string | null): string {
  if (!iso) return "";
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

/** The panel; `notify` reports failures the way the page does. */
export function joiningPanel(meetingId: number, notify: (text: string) => void): HTMLElement {
  let status: OpenLinkStatus | null = null;
  let issued: OpenLinkIssued | null = null;

  const line = h("p", { class: "open-link-status", attrs: { "aria-live": "polite" } });
  const url = h("input", {
    class: "input open-link-url",
    attrs: { type: "text", readonly: "", "aria-label": "Open join link address", id: "open-link-url" },
  });
  const urlRow = h("p", { class: "open-link-url-row" }, url);
  const issue = button("Open join link", "open-link-issue");
  const revoke = button("Revoke open link", "open-link-revoke");
  const show = button("Show on projector", "open-link-show");
  const hide = button("Hide from projector", "open-link-hide");
  const hours = h("input", {
    class: "input cards-hours",
    attrs: { type: "number", min: "1", max: "8760", value: "72", id: "cards-hours" },
  });
  const cards = button("Print join cards", "cards-print");
  const cardsNote = h("p", { class: "cards-note", attrs: { "aria-live": "polite" } });

  function render(): void {
    const active = status?.active === true;
    const ours = active && issued !== null && issued.id === status?.id;
    if (!status) {
      line.textContent = "Reading the open join link…";
    } else if (!active) {
      line.textContent = "No open join link: devices cannot join by themselves.";
    } else {
      const joined = status.joined === 1 ? "1 device joined" : `${status.joined} devices joined`;
      const shown = status.on_projector ? " — on the projector" : "";
      line.textContent = `Open join link ${status.prefix ?? ""}… since ${when(status.created_at)}, ${joined}${shown}.`;
    }
    url.value = ours && issued ? issued.url : "";
    urlRow.hidden = !ours;
    issue.textContent = active ? "New open join link" : "Open join link";
    revoke.hidden = !active;
    show.hidden = !active || status?.on_projector === true;
    show.disabled = !ours;
    show.title = ours ? "" : "Only the page that opened the link knows it: open a new one to show it.";
    hide.hidden = !status?.on_projector;
  }

  function act(control: HTMLButtonElement, work: () => Promise<OpenLinkStatus>): void {
    control.disabled = true;
    work()
      .then((next) => {
        status = next;
      })
      .catch((err: unknown) => notify(describe(err)))
      .finally(() => {
        control.disabled = false;
        render();
      });
  }

  function refresh(): void {
    joiningApi
      .status(meetingId)
      .then((next) => {
        status = next;
        render();
      })
      .catch(() => {
        // Offline or signed out: the page's own status says so; try again later.
      });
  }

  issue.addEventListener("click", () => {
    if (status?.active && !window.confirm("Replace the open join link? The current one stops working for new devices.")) {
      return;
    }
    act(issue, async () => {
      issued = await joiningApi.issue(meetingId);
      return issued;
    });
  });
  revoke.addEventListener("click", () => {
    act(revoke, async () => {
      const next = await joiningApi.revoke(meetingId);
      issued = null;
      return next;
    });
  });
  show.addEventListener("click", () => {
    const held = issued;
    if (held === null) return;
    act(show, () => joiningApi.show(meetingId, held.url));
  });
  hide.addEventListener("click", () => act(hide, () => joiningApi.hide(meetingId)));
  url.addEventListener("focus", () => url.select());
  cards.addEventListener("click", () => {
    const value = Number(hours.value);
    cards.disabled = true;
    cardsNote.textContent = "Making the cards…";
    downloadCards(meetingId, Number.isInteger(value) && value >= 1 ? { expires_in_hours: value } : {})
      .then((name) => {
        cardsNote.textContent = `Saved ${name}: print it and cut along the dashed lines.`;
      })
      .catch((err: unknown) => {
        cardsNote.textContent = "";
        notify(describe(err));
      })
      .finally(() => {
        cards.disabled = false;
      });
  });

  const panel = h(
    "details",
    { class: "joining" },
    h("summary", { class: "joining-summary", text: "Joining" }),
    h(
      "section",
      { class: "joining-part", attrs: { "aria-label": "Open join link" } },
      h("h3", { text: "Open join link" }),
      h("p", {
        class: "joining-help",
        text: "Any device that opens it joins as a participant under a name it types. Revoking it stops new joins; devices that joined keep their own links.",
      }),
      line,
      urlRow,
      h("p", { class: "joining-actions" }, issue, show, hide, revoke),
    ),
    h(
      "section",
      { class: "joining-part", attrs: { "aria-label": "Join cards" } },
      h("h3", { text: "Join cards" }),
      h("p", {
        class: "joining-help",
        text: "A PDF with a card per person (not the projector or devices that joined by the open link): each card has a new personal join link as a QR code. Older links keep working.",
      }),
      h(
        "p",
        { class: "joining-actions" },
        h("label", { attrs: { for: "cards-hours" }, text: "Links valid for (hours)" }),
        hours,
        cards,
      ),
      cardsNote,
    ),
  );
  let timer: ReturnType<typeof setInterval> | null = null;
  panel.addEventListener("toggle", () => {
    if (panel.open) {
      refresh();
      timer ??= setInterval(refresh, REFRESH_MS);
    } else if (timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  });
  render();
  return panel;
}
