// A typed fetch wrapper. Authentication is the HttpOnly join cookie the server set at
// /join/{token}; every failure is mapped to ApiError from the server's {"error","detail"} shape.

import type {
  AgendaItem,
  BoardColumn,
  BoardPromotion,
  BoardRound,
  Checkpoint,
  Diff,
  Input,
  Me,
  Meeting,
  OutcomeDocument,
  ProjectorSettings,
  Provenance,
  Revision,
  ReviewAction,
  RevisionText,
  Section,
  SectionStatus,
} from "./types";
import { errorText, t } from "./i18n";

/** What to tell the person about a failure: an ApiError's message, or the error itself. */
export function errorMessage(err: unknown): string {
  return err instanceof ApiError ? err.detail : String(err);
}

/** A failed request: `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** What the pages show: the stable code's message in the interface language. */
  readonly detail: string;
  /** The server's own (English) text. */
  readonly serverDetail: string;

  constructor(status: number, code: string, detail: string) {
    super(`${status} ${code}: ${detail}`);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.serverDetail = detail;
    this.detail = errorText(code, detail);
  }

  /** The join cookie is missing, expired or revoked. */
  get unauthenticated(): boolean {
    return this.status === 401;
  }

  /** The network or the server is down: worth retrying. */
  get transient(): boolean {
    return this.status === 0 || this.status === 502 || this.status === 503 || this.status === 504;
  }
}

const DEFAULT_TIMEOUT_MS = 10_000;

function isErrorBody(value: unknown): value is { error: string; detail: string } {
  if (typeof value !== "object" || value === null) return false;
  const record = value as Record<string, unknown>;
  return typeof record["error"] === "string" && typeof record["detail"] === "string";
}

async function errorFrom(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page, say): fall back to the status line.
  }
  if (isErrorBody(body)) return new ApiError(response.status, body.error, body.detail);
  const detail = response.statusText || t("error.http_status", { status: response.status });
  return new ApiError(response.status, "http_error", detail);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "PUT" | "DELETE";
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Call the API at `path` (e.g. "/api/me") and parse its JSON answer as T. */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestWithHeaders<T>(path, options)).data;
}

/** Like request(), with the answer's headers (e.g. X-Last-Event-Id). */
export async function requestWithHeaders<T>(
  path: string,
  options: RequestOptions = {},
): Promise<{ data: T; headers: Headers }> {
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  const init: RequestInit = {
    method: options.method ?? "GET",
    credentials: "same-origin",
    cache: "no-store",
    headers,
  };
  if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  // A plain controller rather than AbortSignal.any/timeout, which older phones lack.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const outer = options.signal;
  const forward = (): void => controller.abort();
  outer?.addEventListener("abort", forward, { once: true });
  if (outer?.aborted) controller.abort();
  init.signal = controller.signal;

  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw timedOut
      ? new ApiError(0, "timeout", t("error.timeout"))
      : new ApiError(0, "network", t("error.network"));
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", forward);
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return { data: undefined as T, headers: response.headers };
  try {
    return { data: (await response.json()) as T, headers: response.headers };
  } catch {
    throw new ApiError(response.status, "bad_response", t("error.bad_response"));
  }
}

const sectionPath = (documentId: number, sectionId: number): string =>
  `/api/documents/${documentId}/sections/${sectionId}`;

const ifMatch = (version: number): Record<string, string> => ({ "If-Match": `"${version}"` });

export const api = {
  me: (): Promise<Me> => request<Me>("/api/me"),
  meeting: (id: number): Promise<Meeting> => request<Meeting>(`/api/meetings/${id}`),
  meetings: (): Promise<Meeting[]> => request<Meeting[]>("/api/meetings"),
  agenda: (meetingId: number): Promise<AgendaItem[]> =>
    request<AgendaItem[]>(`/api/meetings/${meetingId}/agenda`),
  document: (id: number): Promise<OutcomeDocument> =>
    request<OutcomeDocument>(`/api/documents/${id}`),
  markdownUrl: (id: number): string => `/api/documents/${id}?format=markdown`,

  /** The secretariat says which agenda item is running now. */
  setCurrentItem: (meetingId: number, itemId: number | null): Promise<Meeting> =>
    request<Meeting>(`/api/meetings/${meetingId}`, {
      method: "PATCH",
      body: { current_agenda_item_id: itemId },
    }),
  addSection: (documentId: number, title: string): Promise<Section> =>
    request<Section>(`/api/documents/${documentId}/sections`, { method: "POST", body: { title } }),
  renameSection: (documentId: number, sectionId: number, title: string, version: number) =>
    request<Section>(sectionPath(documentId, sectionId), {
      method: "PATCH",
      body: { title },
      headers: ifMatch(version),
    }),
  reorderSections: (documentId: number, sectionIds: number[]): Promise<Section[]> =>
    request<Section[]>(`/api/documents/${documentId}/sections/order`, {
      method: "PUT",
      body: { section_ids: sectionIds },
    }),
  setStatus: (documentId: number, sectionId: number, status: SectionStatus, version: number) =>
    request<Section>(`${sectionPath(documentId, sectionId)}/status`, {
      method: "POST",
      body: { status },
      headers: ifMatch(version),
    }),
  setProjector: (documentId: number, settings: ProjectorSettings): Promise<ProjectorSettings> =>
    request<ProjectorSettings>(`/api/documents/${documentId}/projector`, { method: "PUT", body: settings }),
  checkpoint: (documentId: number, name: string): Promise<Checkpoint> =>
    request<Checkpoint>(`/api/documents/${documentId}/checkpoints`, {
      method: "POST",
      body: { name },
    }),

  // A section's history (revisions, diffs, restore).
  revisions: (documentId: number, sectionId: number): Promise<Revision[]> =>
    request<Revision[]>(`${sectionPath(documentId, sectionId)}/revisions`),
  revision: (documentId: number, sectionId: number, n: number): Promise<RevisionText> =>
    request<RevisionText>(`${sectionPath(documentId, sectionId)}/revisions/${n}`),
  diff: (documentId: number, sectionId: number, from: number, to: number | "live") =>
    request<Diff>(`${sectionPath(documentId, sectionId)}/diff?from=${from}&to=${to}`),
  restore: (documentId: number, sectionId: number, n: number): Promise<unknown> =>
    request<unknown>(`${sectionPath(documentId, sectionId)}/revisions/${n}/restore`, {
      method: "POST",
    }),

  // Breakout inputs (README "Breakout inputs").
  inputs: (meetingId: number, query: { group?: string; status?: string } = {}) => {
    const params = new URLSearchParams({ limit: "1000" });
    if (query.group) params.set("group", query.group);
    if (query.status) params.set("status", query.status);
    return requestWithHeaders<Input[]>(`/api/meetings/${meetingId}/inputs?${params.toString()}`);
  },
  submitInput: (meetingId: number, body: { text: string; section_id?: number }, key: string) =>
    request<Input>(`/api/meetings/${meetingId}/inputs`, {
      method: "POST",
      body,
      headers: { "Idempotency-Key": key },
    }),
  editInput: (id: number, body: { text?: string; section_id?: number }, version: number) =>
    request<Input>(`/api/inputs/${id}`, { method: "PATCH", body, headers: ifMatch(version) }),
  withdrawInput: (id: number, version: number) =>
    request<Input>(`/api/inputs/${id}/withdraw`, { method: "POST", body: {}, headers: ifMatch(version) }),
  reviewInput: (id: number, review: ReviewAction, version: number) =>
    request<Input>(`/api/inputs/${id}/review`, { method: "POST", body: review, headers: ifMatch(version) }),
  acceptBatch: (
    meetingId: number,
    body: { input_ids: number[]; text: string; section_id?: number; position?: number },
  ) =>
    request<{ provenance: Provenance; inputs: Input[] }>(`/api/meetings/${meetingId}/inputs/accept-batch`, {
      method: "POST",
      body,
    }),
  provenance: (documentId: number): Promise<Provenance[]> =>
    request<Provenance[]>(`/api/documents/${documentId}/provenance`),

  // The participants' board (board-{id}): the secretariat puts a note into a section.
  promoteNote: (documentId: number, noteId: string, body: { section_id: number; text: string | null }) =>
    request<BoardPromotion>(
      `/api/documents/${documentId}/board/notes/${encodeURIComponent(noteId)}/promote`,
      { method: "POST", body },
    ),
  sendNoteToInbox: (documentId: number, noteId: string, body: { section_id: number; text: string | null }) =>
    request<Input>(`/api/documents/${documentId}/board/notes/${encodeURIComponent(noteId)}/inbox`, {
      method: "POST",
      body,
    }),
  addColumn: (documentId: number, title: string) =>
    request<BoardColumn>(`/api/documents/${documentId}/board/columns`, { method: "POST", body: { title } }),
  changeColumn: (documentId: number, columnId: number, body: { title?: string; position?: number }) =>
    request<BoardColumn[]>(`/api/documents/${documentId}/board/columns/${columnId}`, { method: "PATCH", body }),
  openRound: (documentId: number, body: { duration_seconds: number; votes_per_person: number; allow_double: boolean }) =>
    request<BoardRound>(`/api/documents/${documentId}/board/rounds`, { method: "POST", body }),
  latestRound: (documentId: number) => request<BoardRound>(`/api/documents/${documentId}/board/rounds/latest`),
  closeRound: (documentId: number, roundId: number) =>
    request<BoardRound>(`/api/documents/${documentId}/board/rounds/${roundId}/close`, { method: "POST" }),
  vote: (documentId: number, roundId: number, noteId: string) =>
    request<BoardRound>(`/api/documents/${documentId}/board/rounds/${roundId}/votes`, {
      method: "POST",
      body: { note_id: noteId },
    }),
  postAnonymous: (documentId: number, body: { text: string; color: string; column: number | null }) =>
    request<unknown>(`/api/documents/${documentId}/board/notes`, { method: "POST", body }),
  hideNote: (documentId: number, noteId: string) =>
    request<unknown>(`/api/documents/${documentId}/board/notes/${encodeURIComponent(noteId)}/hide`, { method: "POST" }),
  mergeNotes: (documentId: number, keep: string, noteIds: string[]) =>
    request<unknown>(`/api/documents/${documentId}/board/notes/${encodeURIComponent(keep)}/merge`, {
      method: "POST",
      body: { note_ids: noteIds },
    }),
  boardAuthors: (documentId: number) =>
    request<{ notes: { id: string; author_name: string | null; merged: { id: string; author_name: string | null }[] }[] }>(
      `/api/documents/${documentId}/board`,
    ),
  removeColumn: (documentId: number, columnId: number) =>
    request<{ column_id: number; unsorted: string[] }>(`/api/documents/${documentId}/board/columns/${columnId}`, {
      method: "DELETE",
    }),
};
