// A typed fetch wrapper. Authentication is the HttpOnly join cookie the server set at
// /join/{token}; every failure is mapped to ApiError from the server's {"error","detail"} shape.

import type { AgendaItem, Me, Meeting, OutcomeDocument } from "./types";

/** A failed request: `status` 0 means the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;

  constructor(status: number, code: string, detail: string) {
    super(`${status} ${code}: ${detail}`);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.detail = detail;
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
  const detail = response.statusText || `The server answered ${response.status}.`;
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
    const detail = timedOut ? "The server did not answer in time." : "The server cannot be reached.";
    throw new ApiError(0, "network", detail);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener("abort", forward);
  }
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, "bad_response", "The server sent an unreadable answer.");
  }
}

export const api = {
  me: (): Promise<Me> => request<Me>("/api/me"),
  meeting: (id: number): Promise<Meeting> => request<Meeting>(`/api/meetings/${id}`),
  agenda: (meetingId: number): Promise<AgendaItem[]> =>
    request<AgendaItem[]>(`/api/meetings/${meetingId}/agenda`),
  document: (id: number): Promise<OutcomeDocument> =>
    request<OutcomeDocument>(`/api/documents/${id}`),
  markdownUrl: (id: number): string => `/api/documents/${id}?format=markdown`,
};
