// /open/{token}: the room's open join link. A device types a display name and joins as a
// participant of its own (the server sets its join cookie), then goes to the board. A closed
// or unknown link shows the advice to ask the secretariat for a new one.

import "./joining.css";

import { ApiError, errorMessage } from "../api";
import { h, replaceChildren } from "../dom";
import { t, tNodes } from "../i18n";
import { languageSwitch, showMessage } from "../shell";
import { type OpenLinkInfo, joiningApi } from "./api";

function closed(root: HTMLElement, err: unknown): void {
  const error = err instanceof ApiError ? err : null;
  const gone = error?.status === 410;
  showMessage(root, {
    kind: "signed-out",
    title: gone ? t("open.closed") : t("open.broken"),
    text: error && !error.transient ? error.detail : t("open.uncheckable"),
  });
}

/** A browser already in this meeting (scanned twice, say) is offered to carry on as itself. */
function alreadyIn(info: OpenLinkInfo): HTMLElement | null {
  if (!info.signed_in) return null;
  return h(
    "p",
    { class: "open-join-already" },
    ...tNodes("open.alreadyIn", { name: h("bdi", { text: info.signed_in.name }) }),
    " ",
    h("a", { class: "button", attrs: { href: info.signed_in.location }, text: t("open.continue") }),
  );
}

export async function openJoinPage(root: HTMLElement, token: string): Promise<void> {
  let info: OpenLinkInfo;
  try {
    info = await joiningApi.info(token);
  } catch (err) {
    closed(root, err);
    return;
  }
  const title = info.meeting_title;
  const already = alreadyIn(info);
  document.body.className = "page-message page-open-join";
  document.title = t("shell.pageTitle", { title: t("open.title") });
  const name = h("input", {
    class: "input open-join-name",
    attrs: {
      id: "open-join-name",
      type: "text",
      maxlength: "120",
      autocomplete: "name",
      dir: "auto",
      required: "",
    },
  });
  const join = h("button", { class: "button button-primary", attrs: { type: "submit" }, text: t("open.join") });
  const error = h("p", { class: "open-join-error", attrs: { role: "alert" } });
  const form = h(
    "form",
    { class: "open-join-form" },
    h("label", { attrs: { for: "open-join-name" }, text: t("open.yourName") }),
    name,
    h("p", { class: "open-join-hint", text: t("open.hint") }),
    join,
    error,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = name.value.trim();
    if (!value) {
      name.focus();
      return;
    }
    join.disabled = true;
    error.textContent = "";
    joiningApi
      .join(token, value)
      .then((joined) => window.location.assign(joined.location))
      .catch((err: unknown) => {
        join.disabled = false;
        if (err instanceof ApiError && (err.status === 401 || err.status === 410)) {
          closed(root, err);
          return;
        }
        error.textContent = errorMessage(err);
      });
  });
  replaceChildren(
    root,
    h(
      "main",
      { class: "message open-join", attrs: { id: "main" } },
      languageSwitch(),
      h("p", { class: "brand", text: t("app.name") }),
      h("h1", { class: "message-title", text: t("open.title") }),
      h("p", { class: "open-join-meeting", attrs: { dir: "auto" }, text: title }),
      already,
      form,
    ),
  );
  root.removeAttribute("aria-busy");
  name.focus();
}
