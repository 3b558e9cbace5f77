// The frame of the setup pages: a header (Outcomes, the page, who is signed in), the main
// region and the polite live region that says what was saved.

import { h, replaceChildren } from "../dom";
import { t } from "../i18n";
import { autoDir } from "../render";
import { languageSwitch, roleName } from "../shell";
import type { SetupMe } from "./api";
import { LiveStatus } from "./forms";

export interface Frame {
  main: HTMLElement;
  status: LiveStatus;
  nav: HTMLElement;
}

export function setupFrame(root: HTMLElement, me: SetupMe, pageTitle: string): Frame {
  document.body.className = "page-setup";
  document.title = t("shell.pageTitle", { title: pageTitle });
  const status = new LiveStatus();
  const nav = h("nav", { class: "setup-nav", attrs: { "aria-label": t("setup.nav") } });
  if (me.role === "organiser") nav.append(h("a", { attrs: { href: "/meetings" }, text: t("setup.allMeetings") }));
  const header = h(
    "header",
    { class: "topbar" },
    h(
      "div",
      { class: "topbar-inner" },
      h("p", { class: "brand", text: t("app.name") }),
      nav,
      h(
        "div",
        { class: "topbar-meta" },
        h(
          "p",
          { class: "who" },
          h("span", { class: "visually-hidden", text: t("shell.signedInAs") }),
          autoDir("span", me.name, "who-name"),
          h("span", { class: "who-role", text: roleName(me.role) }),
        ),
        languageSwitch(),
      ),
    ),
  );
  const main = h("main", { class: "main setup-main", attrs: { id: "main", tabindex: "-1" } });
  const skip = h("a", { class: "skip-link", attrs: { href: "#main" }, text: t("shell.skip") });
  replaceChildren(root, skip, header, main, status.el);
  root.removeAttribute("aria-busy");
  return { main, status, nav };
}
