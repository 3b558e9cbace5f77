// The frame of the setup pages: a header (Outcomes, the page, who is signed in), the main
// region and the polite live region that says what was saved.

import { h, replaceChildren } from "../dom";
import { autoDir } from "../render";
import type { SetupMe } from "./api";
import { LiveStatus } from "./forms";

const ROLE: Record<string, string> = { organiser: "Organiser", secretariat: "Secretariat" };

export interface Frame {
  main: HTMLElement;
  status: LiveStatus;
  nav: HTMLElement;
}

export function setupFrame(root: HTMLElement, me: SetupMe, pageTitle: string): Frame {
  document.body.className = "page-setup";
  document.title = `${pageTitle} — Outcomes`;
  const status = new LiveStatus();
  const nav = h("nav", { class: "setup-nav", attrs: { "aria-label": "Setup" } });
  if (me.role === "organiser") nav.append(h("a", { attrs: { href: "/meetings" }, text: "All meetings" }));
  const header = h(
    "header",
    { class: "topbar" },
    h(
      "div",
      { class: "topbar-inner" },
      h("p", { class: "brand", text: "Outcomes" }),
      nav,
      h(
        "div",
        { class: "topbar-meta" },
        h(
          "p",
          { class: "who" },
          h("span", { class: "visually-hidden", text: "Signed in as " }),
          autoDir("span", me.name, "who-name"),
          h("span", { class: "who-role", text: ROLE[me.role] ?? me.role }),
        ),
      ),
    ),
  );
  const main = h("main", { class: "main setup-main", attrs: { id: "main", tabindex: "-1" } });
  const skip = h("a", { class: "skip-link", attrs: { href: "#main" }, text: "Skip to content" });
  replaceChildren(root, skip, header, main, status.el);
  root.removeAttribute("aria-busy");
  return { main, status, nav };
}
