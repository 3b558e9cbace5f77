// The meeting and its agenda (REST): read at start, then every few seconds, because the current
// agenda item changes on the server without touching the document. The document itself is live
// over Yjs (sync/room.ts). The last answers are kept in localStorage, so that a page reloaded
// while offline can still start and show who you are and the agenda.

import { ApiError, api } from "./api";
import type { AgendaItem, Me, Meeting } from "./types";

export interface Session {
  me: Me;
  meeting: Meeting;
  agenda: AgendaItem[];
  documentTitle: string;
}

const SESSION_KEY = "outcomes:session";

export function saveSession(session: Session): void {
  try {
    window.localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // Storage full or disabled: the page still works online.
  }
}

export function loadSession(): Session | null {
  try {
    const raw = window.localStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function forgetSession(): void {
  window.localStorage.removeItem(SESSION_KEY);
}

export interface MeetingListener {
  changed(meeting: Meeting, agenda: AgendaItem[]): void;
  signedOut(error: ApiError): void;
}

/** Re-reads the meeting and agenda every `intervalMs` (and at once on refresh()). */
export class MeetingPoller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;
  private stopped = false;

  constructor(
    private session: Session,
    private readonly listener: MeetingListener,
    private readonly intervalMs = 5_000,
  ) {}

  start(): void {
    window.addEventListener("online", () => this.refresh());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.refresh();
    });
    this.listener.changed(this.session.meeting, this.session.agenda);
    this.schedule();
  }

  /** Show a meeting the API just returned (after the secretariat changed it). */
  show(meeting: Meeting): void {
    this.session = { ...this.session, meeting };
    saveSession(this.session);
    this.listener.changed(meeting, this.session.agenda);
  }

  refresh(): void {
    if (this.stopped) return;
    if (this.inFlight) return;
    void this.tick();
  }

  private schedule(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.inFlight) return;
    // A hidden tab (a phone in a pocket) does not poll; becoming visible refreshes at once.
    if (document.visibilityState === "hidden") {
      this.schedule();
      return;
    }
    this.inFlight = true;
    try {
      const [meeting, agenda] = await Promise.all([
        api.meeting(this.session.meeting.id),
        api.agenda(this.session.meeting.id),
      ]);
      this.session = { ...this.session, meeting, agenda };
      saveSession(this.session);
      this.listener.changed(meeting, agenda);
    } catch (err) {
      if (err instanceof ApiError && err.unauthenticated) {
        this.stopped = true;
        forgetSession();
        this.listener.signedOut(err);
        return;
      }
      // Offline or a server hiccup: the connection indicator (Yjs) already says so; the agenda
      // clock keeps moving on the last known agenda.
      this.listener.changed(this.session.meeting, this.session.agenda);
    } finally {
      this.inFlight = false;
      this.schedule();
    }
  }
}
