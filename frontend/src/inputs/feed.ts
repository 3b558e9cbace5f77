// The live list of a meeting's breakout inputs: GET /api/meetings/{id}/inputs, then the
// server-sent events stream from the position that list reflects (X-Last-Event-Id), so nothing
// falls between the two (docs/protocol.md, "Input events"). EventSource reconnects by itself
// with Last-Event-ID; if the browser gives up (CLOSED), the feed opens a new stream with
// ?after= the last id it saw. Each input keeps its highest version.

import { ApiError, api } from "../api";
import { type MessageKey, formatTime } from "../i18n";
import type { Input, InputStatus, StreamMessage } from "../types";

const RETRY_MS = 3_000;

export type FeedListener = (changed: Input[], kind: "load" | "event" | "local") => void;

export class InputFeed {
  readonly inputs = new Map<number, Input>();
  private readonly listeners = new Set<FeedListener>();
  private source: EventSource | null = null;
  private lastId = 0;
  private stopped = false;
  private retry: ReturnType<typeof setTimeout> | null = null;
  /** The stream is open and caught up. */
  live = false;
  /** The list was loaded once: what it holds is known up to when the stream was last live. */
  loaded = false;
  /** The last attempt to load the list could not reach the server (it is tried again). */
  unreachable = false;
  /** The stream was live and is lost: the list is as it was then (until it is back). */
  stale = false;
  /** The last load or stream failure that is not worth retrying (403, 404), if any. */
  error: ApiError | null = null;

  constructor(private readonly meetingId: number) {}

  on(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Inputs in submission order. */
  list(): Input[] {
    return [...this.inputs.values()].sort((a, b) => a.id - b.id);
  }

  count(status: InputStatus): number {
    let n = 0;
    for (const input of this.inputs.values()) if (input.status === status) n++;
    return n;
  }

  /** Load the list (retrying while the server cannot be reached), then follow the stream. */
  async start(): Promise<void> {
    for (;;) {
      try {
        const { data, headers } = await api.inputs(this.meetingId);
        this.lastId = Number(headers.get("X-Last-Event-Id") ?? "0") || 0;
        this.loaded = true;
        this.unreachable = false;
        this.upsert(data, "load", true);
        break;
      } catch (err) {
        if (err instanceof ApiError && err.transient && !this.stopped) {
          if (!this.unreachable) {
            this.unreachable = true;
            this.emit([], "load"); // say so, rather than "no inputs yet"
          }
          await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
          continue;
        }
        this.error = err instanceof ApiError ? err : null;
        this.emit([], "load");
        return;
      }
    }
    this.connect();
  }

  /** Record an input the page already has from a REST answer (a submit, an edit, a review). */
  put(input: Input): void {
    this.upsert([input], "local");
  }

  stop(): void {
    this.stopped = true;
    if (this.retry !== null) clearTimeout(this.retry);
    this.source?.close();
    this.source = null;
  }

  private connect(): void {
    if (this.stopped) return;
    const source = new EventSource(`/api/meetings/${this.meetingId}/events?after=${this.lastId}`);
    this.source = source;
    source.onmessage = (message: MessageEvent<string>) => {
      let event: StreamMessage;
      try {
        event = JSON.parse(message.data) as StreamMessage;
      } catch {
        return;
      }
      if (event.type === "ready") {
        this.lastId = Math.max(this.lastId, event.last_event_id);
        this.live = true;
        this.stale = false;
        this.emit([], "event");
        return;
      }
      this.lastId = Math.max(this.lastId, event.id);
      if ("input" in event) this.upsert([event.input], "event"); // not document.adopted…
    };
    source.onerror = () => {
      if (this.live) {
        this.live = false;
        this.stale = true;
        this.emit([], "event"); // the inbox says that what it shows may be behind
      }
      if (source.readyState === EventSource.CLOSED && !this.stopped) {
        // The browser gave up (an HTTP error while reconnecting): open a new stream later.
        this.source = null;
        this.retry = setTimeout(() => this.connect(), RETRY_MS);
      }
    };
  }

  private upsert(inputs: Input[], kind: "load" | "event" | "local", always = false): void {
    const changed: Input[] = [];
    for (const input of inputs) {
      const known = this.inputs.get(input.id);
      if (known && known.version > input.version) continue;
      if (known && known.version === input.version && known.status === input.status) continue;
      this.inputs.set(input.id, input);
      changed.push(input);
    }
    if (changed.length > 0 || always) this.emit(changed, kind);
  }

  private emit(changed: Input[], kind: "load" | "event" | "local"): void {
    for (const listener of this.listeners) listener(changed, kind);
  }
}

export const STATUS_TEXT: Record<InputStatus, MessageKey> = {
  submitted: "input.status.submitted",
  accepted: "input.status.accepted",
  rejected: "input.status.rejected",
  duplicate: "input.status.duplicate",
  deferred: "input.status.deferred",
  withdrawn: "input.status.withdrawn",
};

/** "14:05" in the meeting's time zone (the browser's if that zone is unknown). */
export function clock(iso: string | null, timeZone: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return formatTime(date, timeZone);
}

/** A section's paragraphs as the server counts them: separated by a blank line. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n[ \t]*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** Whitespace-insensitive text, for matching a provenance record against a live paragraph. */
export function normalise(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** A UUID for an Idempotency-Key (crypto.randomUUID needs a secure context). */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
