// The setup pages' entry: who is signed in (GET /api/me), then the organiser's home or a
// meeting's setup page. These pages need no live rooms: plain REST.

import { ApiError } from "../api";
import { applyLang, chooseLang, t } from "../i18n";
import { showMessage, showSignedOut } from "../shell";
import "./setup.css";
import { setupApi } from "./api";
import { describe } from "./forms";
import { homePage } from "./home";
import { setupPage } from "./page";

export async function startSetup(root: HTMLElement, meetingId: number | null): Promise<void> {
  try {
    const me = await setupApi.me();
    applyLang(chooseLang(me.language));
    if (meetingId === null) {
      if (me.role !== "organiser") {
        showMessage(root, {
          kind: "not-found",
          title: t("setup.forOrganisers"),
          text: t("setup.forOrganisersText"),
          link: { href: me.meeting_id === null ? "/" : `/m/${me.meeting_id}/setup`, text: t("setup.goMeeting") },
        });
        return;
      }
      await homePage(root, me);
      return;
    }
    if (me.role !== "organiser" && me.role !== "secretariat") {
      showMessage(root, {
        kind: "error",
        title: t("setup.forSecretariat"),
        text: t("setup.forSecretariatText"),
        link: { href: "/", text: t("page.goHome") },
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
      title: missing ? t("page.notFound") : t("page.error"),
      text: describe(err),
      link: { href: "/", text: t("page.goHome") },
    });
  }
}
