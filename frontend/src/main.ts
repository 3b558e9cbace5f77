// The app shell: who am I (GET /api/me, cookie auth), which page (the path), then one
// DocumentSource feeding the page. A 401 anywhere shows "Open your join link".

import "./styles.css";

import { ApiError, api } from "./api";
import { documentPage } from "./pages/document";
import { groupPage } from "./pages/group";
import type { Page, PageContext } from "./pages/page";
import { projectorPage } from "./pages/projector";
import { landingPath, parseRoute, type Route } from "./router";
import { Shell, showMessage, showSignedOut } from "./shell";
import { RestPollingSource } from "./source";
import type { Me, Meeting } from "./types";

const STARTUP_RETRY_MS = 3_000;

function rootElement(): HTMLElement {
  const root = document.getElementById("app");
  if (!root) throw new Error("index.html has no #app element");
  return root;
}

function showError(root: HTMLElement, err: unknown): void {
  const error = err instanceof ApiError ? err : null;
  if (error?.unauthenticated) {
    showSignedOut(root, error.detail);
    return;
  }
  showMessage(root, {
    kind: error?.status === 404 ? "not-found" : "error",
    title: error?.status === 404 ? "Not found" : "Something went wrong",
    text: error ? error.detail : "The page could not start. Reload it to try again.",
    link: { href: "/", text: "Go to your page" },
  });
}

/** Read who we are and the meeting, waiting out a server that is not reachable yet. */
async function signIn(root: HTMLElement): Promise<{ me: Me; meeting: Meeting } | null> {
  for (;;) {
    try {
      const me = await api.me();
      const meeting = await api.meeting(me.meeting_id);
      return { me, meeting };
    } catch (err) {
      if (err instanceof ApiError && err.transient) {
        showMessage(root, {
          title: "Connecting…",
          text: "The server cannot be reached yet (offline, retrying).",
          detail: err.detail,
        });
        await new Promise((resolve) => setTimeout(resolve, STARTUP_RETRY_MS));
        continue;
      }
      showError(root, err);
      return null;
    }
  }
}

function mountPage(route: Route, ctx: PageContext): Page | null {
  switch (route.page) {
    case "document":
      return documentPage(ctx);
    case "projector":
      return projectorPage(ctx);
    case "group":
      return groupPage(ctx, route.groupCode);
    default:
      return null;
  }
}

async function start(): Promise<void> {
  const root = rootElement();
  const route = parseRoute(window.location.pathname);
  const session = await signIn(root);
  if (session === null) return;
  const { me, meeting } = session;

  if (route.page === "home" || route.page === "unknown") {
    const target = landingPath(me, meeting.document_id);
    if (target !== "/") {
      window.location.replace(target);
      return;
    }
    showMessage(root, {
      title: "No outcome document yet",
      text: "This meeting has no outcome document yet. The secretariat creates it.",
    });
    return;
  }
  if (route.documentId !== meeting.document_id) {
    showMessage(root, {
      kind: "not-found",
      title: "Not found",
      text: "This outcome document is not part of your meeting.",
      link: { href: landingPath(me, meeting.document_id), text: "Go to your meeting's document" },
    });
    return;
  }

  const variant = route.page;
  const shell = new Shell(root, me, meeting, variant);
  const page = mountPage(route, { me, shell, documentId: route.documentId });
  if (page === null) return;
  const source = new RestPollingSource(meeting.id, route.documentId);
  source.start({
    snapshot(snapshot) {
      const current = shell.update(snapshot.meeting, snapshot.agenda);
      page.update(snapshot, current);
    },
    state(state) {
      shell.status.set(state);
      if (state.kind === "signed-out") showSignedOut(root, state.error.detail);
      else if (state.kind === "failed") showError(root, state.error);
    },
  });
}

start().catch((err: unknown) => {
  showError(rootElement(), err);
  throw err;
});
