// Where a page gets the meeting and its document from. For now a REST poller; the realtime
// (Yjs over websocket) source of a later stage implements the same DocumentSource interface,
// so the pages do not change when it arrives.

import { ApiError, api } from "./api";
import type { AgendaItem, Meeting, OutcomeDocument } from "./types";

export interface Snapshot {
  meeting: Meeting;
  agenda: AgendaItem[];
  document: OutcomeDocument;
}

export type ConnectionState =
  | { kind: "connecting" }
  | { kind: "live"; checkedAt: Date }
  | { kind: "offline"; error: ApiError; retryAt: Date }
  | { kind: "signed-out"; error: ApiError }
  | { kind: "failed"; error: ApiError };

export interface SourceListener {
  snapshot(snapshot: Snapshot): void;
  state(state: ConnectionState): void;
}

export interface DocumentSource {
  start(listener: SourceListener): void;
  /** Fetch now rather than at the next tick. */
  refresh(): void;
  stop(): void;
}

export interface PollingOptions {
  intervalMs?: number;
  /** First retry delay after a failure; doubles up to maxRetryMs. */
  retryMs?: number;
  maxRetryMs?: number;
}

function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError(0, "client", err instanceof Error ? err.message : String(err));
}

/** Re-reads the meeting, agenda and consolidated document every few seconds. */
export class RestPollingSource implements DocumentSource {
  private readonly intervalMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private listener: SourceListener | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = false;
  private failures = 0;
  private stopped = false;
  private lastJson = "";

  constructor(
    private readonly meetingId: number,
    private readonly documentId: number,
    options: PollingOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.retryMs = options.retryMs ?? 2_000;
    this.maxRetryMs = options.maxRetryMs ?? 30_000;
  }

  private readonly onWake = (): void => {
    if (document.visibilityState === "visible") this.refresh();
  };

  start(listener: SourceListener): void {
    this.listener = listener;
    this.stopped = false;
    listener.state({ kind: "connecting" });
    window.addEventListener("online", this.onWake);
    document.addEventListener("visibilitychange", this.onWake);
    void this.tick();
  }

  refresh(): void {
    if (this.stopped || this.inFlight) return;
    this.clearTimer();
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    window.removeEventListener("online", this.onWake);
    document.removeEventListener("visibilitychange", this.onWake);
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped || this.inFlight || this.listener === null) return;
    // A hidden tab (a phone in a pocket) stops polling; becoming visible refreshes at once.
    if (document.visibilityState === "hidden" && this.lastJson !== "") return;
    this.inFlight = true;
    const listener = this.listener;
    try {
      const [meeting, agenda, doc] = await Promise.all([
        api.meeting(this.meetingId),
        api.agenda(this.meetingId),
        api.document(this.documentId),
      ]);
      this.failures = 0;
      const snapshot: Snapshot = { meeting, agenda, document: doc };
      const json = JSON.stringify(snapshot);
      if (this.stopped) return;
      listener.state({ kind: "live", checkedAt: new Date() });
      // Re-render also when nothing changed: the agenda's "now" follows the clock.
      this.lastJson = json;
      listener.snapshot(snapshot);
      this.schedule(this.intervalMs);
    } catch (err) {
      if (this.stopped) return;
      const error = asApiError(err);
      if (error.unauthenticated) {
        this.stop();
        listener.state({ kind: "signed-out", error });
      } else if (error.transient || error.status === 429 || error.status >= 500) {
        this.failures += 1;
        const delay = Math.min(this.maxRetryMs, this.retryMs * 2 ** (this.failures - 1));
        listener.state({ kind: "offline", error, retryAt: new Date(Date.now() + delay) });
        this.schedule(delay);
      } else {
        this.stop();
        listener.state({ kind: "failed", error });
      }
    } finally {
      this.inFlight = false;
    }
  }
}
