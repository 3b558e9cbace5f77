// The app shell: who am I (GET /api/me, cookie auth), which page (the path), then the page with
// its live Yjs rooms and the meeting/agenda poller. A 401 anywhere shows "Open your join link".
// Offline, the page starts from what it saw last (localStorage) and the service worker's copy
// of the app; the rooms come from IndexedDB and sync when the connection returns.

import "./fonts";
import "./styles.css";

import { ApiError, api, errorMessage } from "./api";
import { restoreCaret, saveCaret } from "./caret";
import { applyLang, chooseLang, errorText, t } from "./i18n";
import { AdoptionWatch, adoptionBanner } from "./closing/adopt";
import { boardPage } from "./pages/board";
import { openJoinPage } from "./joining/open";
import { documentPage } from "./pages/document";
import { groupPage } from "./pages/group";
import type { Page, PageContext } from "./pages/page";
import { projectorPage } from "./pages/projector";
import { startSetup } from "./setup";
import { landingPath, parseRoute, type Route } from "./router";
import { Shell, showMessage, showSignedOut } from "./shell";
import { MeetingPoller, type Session, forgetSession, loadSession, saveSession } from "./source";
import { Room, forgetStorage, storagePrefix } from "./sync/room";
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
    forgetSession();
    showSignedOut(root, error.detail);
    return;
  }
  showMessage(root, {
    kind: error?.status === 404 ? "not-found" : "error",
    title: error?.status === 404 ? t("page.notFound") : t("page.error"),
    text: error ? error.detail : t("page.couldNotStart"),
    link: { href: "/", text: t("page.goHome") },
  });
}

async function readSession(me: Me, meeting: Meeting): Promise<Session> {
  const agenda = await api.agenda(meeting.id);
  let documentTitle = t("doc.defaultTitle");
  if (meeting.document_id !== null) {
    documentTitle = (await api.document(meeting.document_id)).title;
  }
  return { me, meeting, agenda, documentTitle };
}

/** The server refused a join link: its reason (code and English detail) in the page's language. */
function showRefusedJoin(root: HTMLElement): void {
  const meta = document.querySelector<HTMLMetaElement>('meta[name="outcomes-error"]');
  const code = meta?.content ?? "unauthenticated";
  showMessage(root, {
    kind: "signed-out",
    title: t("open.broken"),
    text: t("join.advice"),
    detail: errorText(code, meta?.dataset["detail"] ?? ""),
  });
}

/** An organiser (no meeting of its own) opening a meeting it created: its secretariat. */
async function organiserSession(root: HTMLElement, me: Me, route: Route): Promise<Session | null> {
  if (!("documentId" in route)) {
    window.location.replace("/meetings");
    return null;
  }
  const meeting = (await api.meetings()).find((m) => m.document_id === route.documentId);
  if (!meeting) {
    showMessage(root, {
      kind: "not-found",
      title: t("page.notFound"),
      text: t("page.notYourMeetings"),
      link: { href: "/meetings", text: t("page.goMeetings") },
    });
    return null;
  }
  return readSession({ ...me, meeting_id: meeting.id, role: "secretariat" }, meeting);
}

/** Who we are and the meeting; offline, the last session this browser saw on this route. */
async function signIn(root: HTMLElement, route: Route): Promise<Session | null> {
  for (;;) {
    try {
      const me = await api.me();
      if ((me.meeting_id as number | null) === null) return await organiserSession(root, me, route);
      const meeting = await api.meeting(me.meeting_id);
      const session = await readSession(me, meeting);
      saveSession(session);
      return session;
    } catch (err) {
      if (err instanceof ApiError && err.transient) {
        const cached = loadSession();
        if (cached && "documentId" in route && route.documentId === cached.meeting.document_id) {
          return cached;
        }
        showMessage(root, {
          title: t("page.connecting"),
          text: t("page.offlineRetrying"),
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

/** A short stable hash (FNV-1a) of `text`. */
function fingerprint(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

function mountPage(route: Route, ctx: PageContext): Promise<Page> | null {
  switch (route.page) {
    case "document":
      return documentPage(ctx);
    case "projector":
      return projectorPage(ctx);
    case "board":
      return boardPage(ctx);
    case "group":
      return groupPage(ctx, route.groupCode);
    default:
      return null;
  }
}

function registerServiceWorker(): void {
  // Keeps the app itself available offline, so a reload without network still opens the page.
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {
    // Without it the page still works online; only an offline reload fails.
  });
}

async function start(): Promise<void> {
  const root = rootElement();
  const route = parseRoute(window.location.pathname);
  registerServiceWorker();
  // A first choice before anyone is known (switch, browser); refined once the person is.
  applyLang(chooseLang());
  if (route.page === "open") return openJoinPage(root, route.token);
  if (route.page === "join") return showRefusedJoin(root);
  if (route.page === "meetings") return startSetup(root, null);
  if (route.page === "setup") return startSetup(root, route.meetingId);
  const session = await signIn(root, route);
  if (session === null) return;
  const { me, meeting } = session;
  applyLang(chooseLang(me.language, meeting.languages));

  if (route.page === "home" || route.page === "unknown") {
    const target = landingPath(me, meeting.document_id);
    if (target !== "/") {
      window.location.replace(target);
      return;
    }
    showMessage(root, {
      title: t("page.noDocument"),
      text: t("page.noDocumentText"),
    });
    return;
  }
  if (route.documentId !== meeting.document_id) {
    showMessage(root, {
      kind: "not-found",
      title: t("page.notFound"),
      text: t("page.notYourDocument"),
      link: { href: landingPath(me, meeting.document_id), text: t("page.goDocument") },
    });
    return;
  }

  const shell = new Shell(root, me, meeting, route.page);
  const adoption = new AdoptionWatch(meeting.id, route.documentId);
  shell.main.before(adoptionBanner(adoption, meeting.time_zone));
  adoption.start();
  // The meeting's title and date name its storage: a new meeting never reads an old one's copy.
  const prefix = storagePrefix(meeting.id, route.documentId, fingerprint(`${meeting.date} ${meeting.title}`));
  const rooms: Room[] = [];
  const byName = new Map<string, Room>();
  let stale = false;
  let rebuilt: Promise<unknown> = Promise.resolve();
  let lastAgenda: Parameters<Page["agenda"]> | null = null;
  let shown: Page | null = null;
  // A client-id clash gave a room a new Y.Doc (sync/rekey.ts): every editor and observer holds
  // the old one, so the page is laid out again on the same rooms, without a reload.
  const rebuild = (): void => {
    rebuilt = rebuilt.then(async () => {
      const current = shown ?? (await pending);
      if (current === null) return;
      current.dispose?.();
      const caret = saveCaret();
      for (const room of rooms) room.clearStatusListeners();
      shell.main.replaceChildren();
      const next = mountPage(route, ctx);
      if (next === null) return;
      page = await next;
      shown = page;
      if (lastAgenda !== null) page.agenda(...lastAgenda);
      restoreCaret(caret);
    });
  };
  const ctx: PageContext = {
    me,
    shell,
    session,
    documentId: route.documentId,
    notify: (text) => shell.notify(text),
    adoption,
    async openRoom(name, options) {
      const open = byName.get(name);
      if (open !== undefined) return open;
      const room = await Room.open({
        room: name,
        storage: prefix,
        presence: options.presence,
        ...(options.serverMap === undefined ? {} : { serverMap: options.serverMap }),
        onStale: () => {
          // The server's database was replaced: this browser's copy belongs to another one.
          if (stale) return;
          stale = true;
          for (const other of rooms) other.provider.destroy();
          void forgetStorage(prefix).then(() => window.location.reload());
        },
      });
      rooms.push(room);
      byName.set(name, room);
      room.onRekey(rebuild);
      return room;
    },
  };
  const pending = mountPage(route, ctx);
  if (pending === null) return;
  let page = await pending;

  const pick = (item: { id: number }): void => {
    api
      .setCurrentItem(meeting.id, item.id)
      .then((updated) => poller.show(updated))
      .catch((err: unknown) => shell.notify(errorMessage(err)));
  };
  const poller: MeetingPoller = new MeetingPoller(session, {
    changed(current, agenda) {
      const item = shell.update(current, agenda, me.role === "secretariat" ? pick : null);
      lastAgenda = [current, item];
      page.agenda(current, item);
    },
    signedOut(error) {
      showSignedOut(root, error.detail);
    },
  });
  poller.start();

  window.addEventListener("beforeunload", (event) => {
    if (page.unsaved() > 0) {
      // The browser asks "Leave site? Changes you made may not be saved."
      event.preventDefault();
      event.returnValue = "";
    }
  });
  // The browser tests read the live rooms and how many local changes the server has not
  // committed; a normal page exposes neither (see testHooksOn).
  if (testHooksOn()) {
    (window as unknown as { outcomes: unknown }).outcomes = {
      unsaved: () => page.unsaved(),
      rooms,
    };
  }
}

/**
 * Whether this browser asked for the test hooks: tests/e2e/conftest.py sets
 * localStorage["outcomes.testHooks"] = "1" before the page's scripts run. The same build serves
 * tests and production; without the flag `window.outcomes` does not exist.
 */
function testHooksOn(): boolean {
  try {
    return window.localStorage.getItem("outcomes.testHooks") === "1";
  } catch {
    return false; // storage disabled: no hooks
  }
}

start().catch((err: unknown) => {
  showError(rootElement(), err);
  throw err;
});
