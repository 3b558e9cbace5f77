// The setup pages' entry: who is signed in (GET /api/me), then the organiser's home or a
// meeting's setup page. These pages need no live rooms: plain REST.

import { ApiError } from "../api";
import { showMessage, showSignedOut } from "../shell";
import "./setup.css";
import { setupApi } from "./api";
import { describe } from "./forms";
import { homePage } from "./home";
import { setupPage } from "./page";

export async function startSetup(root: HTMLElement, meetingId: number | null): Promise<void> {
  try {
    const me = await setupApi.me();
    if (meetingId === null) {
      if (me.role !== "organiser") {
        showMessage(root, {
          kind: "not-found",
          title: "For organisers",
          text: "This page lists the meetings of an organiser. Your join link opens your meeting's pages.",
          link: { href: me.meeting_id === null ? "/" : `/m/${me.meeting_id}/setup`, text: "Go to your meeting" },
        });
        return;
      }
      await homePage(root, me);
      return;
    }
    if (me.role !== "organiser" && me.role !== "secretariat") {
      showMessage(root, {
        kind: "error",
        title: "For the secretariat",
        text: "Only the meeting's secretariat sets it up.",
        link: { href: "/", text: "Go to your page" },
      });
      return;
    }
    await setupPage(root, me, meetingId);
  } catch (err) {
    if (err instanceof ApiError && err.unauthenticated) {
      showSignedOut(root, err.detail);
      return;
    }
    const missing = err instanceof ApiError && err.status === 404;
    showMessage(root, {
      kind: missing ? "not-found" : "error",
      title: missing ? "Not found" : "Something went wrong",
      text: describe(err),
      link: { href: "/", text: "Go to your page" },
    });
  }
}
