// The secretariat's "Joining" panel on the editor page: the room-wide open join link (issue,
// revoke, show its QR code on the projector, hide it) and the printable join cards (a PDF with
// a new personal link per person). The open link's URL is only known to the page that issued
// it (the server keeps its hash): "Show on projector" sends it back to be checked.

import "./joining.css";

import { errorMessage } from "../api";
import { h } from "../dom";
import { formatTime, t } from "../i18n";
import { type OpenLinkIssued, type OpenLinkStatus, downloadCards, joiningApi } from "./api";

const REFRESH_MS = 10_000;

function button(text: string, className: string): HTMLButtonElement {
  return h("button", { class: `button ${className}`, attrs: { type: "button" }, text });
}

const describe = errorMessage;

/** The panel; `notify` reports failures the way the page does; times in the meeting's zone. */
export function joiningPanel(
  meetingId: number,
  notify: (text: string) => void,
  timeZone?: string,
): HTMLElement {
  const when = (iso: string | null): string => (iso ? formatTime(iso, timeZone) : "");
  let status: OpenLinkStatus | null = null;
  let issued: OpenLinkIssued | null = null;

  const line = h("p", { class: "open-link-status", attrs: { "aria-live": "polite" } });
  const url = h("input", {
    class: "input open-link-url",
    attrs: { type: "text", readonly: "", "aria-label": t("joining.urlLabel"), id: "open-link-url" },
  });
  const urlRow = h("p", { class: "open-link-url-row" }, url);
  const issue = button(t("joining.openLink"), "open-link-issue");
  const revoke = button(t("joining.revoke"), "open-link-revoke");
  const show = button(t("joining.show"), "open-link-show");
  const hide = button(t("joining.hide"), "open-link-hide");
  const hours = h("input", {
    class: "input cards-hours",
    attrs: { type: "number", min: "1", max: "8760", value: "72", id: "cards-hours" },
  });
  const cards = button(t("joining.printCards"), "cards-print");
  const cardsNote = h("p", { class: "cards-note", attrs: { "aria-live": "polite" } });

  function render(): void {
    const active = status?.active === true;
    const ours = active && issued !== null && issued.id === status?.id;
    if (!status) {
      line.textContent = t("joining.reading");
    } else if (!active) {
      line.textContent = t("joining.none");
    } else {
      line.textContent = t("joining.status", {
        prefix: status.prefix ?? "",
        since: when(status.created_at),
        joined: status.joined,
        shown: status.on_projector ? "yes" : "no",
      });
    }
    url.value = ours && issued ? issued.url : "";
    urlRow.hidden = !ours;
    issue.textContent = active ? t("joining.newLink") : t("joining.openLink");
    revoke.hidden = !active;
    show.hidden = !active || status?.on_projector === true;
    show.disabled = !ours;
    show.title = ours ? "" : t("joining.showTitle");
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
    if (status?.active && !window.confirm(t("joining.replaceConfirm"))) {
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
    cardsNote.textContent = t("joining.making");
    downloadCards(meetingId, Number.isInteger(value) && value >= 1 ? { expires_in_hours: value } : {})
      .then((name) => {
        cardsNote.textContent = t("joining.saved", { name });
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
    h("summary", { class: "joining-summary", text: t("joining.title") }),
    h(
      "section",
      { class: "joining-part", attrs: { "aria-label": t("joining.openLink") } },
      h("h3", { text: t("joining.openLink") }),
      h("p", { class: "joining-help", text: t("joining.openHelp") }),
      line,
      urlRow,
      h("p", { class: "joining-actions" }, issue, show, hide, revoke),
    ),
    h(
      "section",
      { class: "joining-part", attrs: { "aria-label": t("joining.cards") } },
      h("h3", { text: t("joining.cards") }),
      h("p", { class: "joining-help", text: t("joining.cardsHelp") }),
      h(
        "p",
        { class: "joining-actions" },
        h("label", { attrs: { for: "cards-hours" }, text: t("joining.hours") }),
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
