// The joining endpoints (README "Joining by QR code"): the open join link, the projector's QR
// code and the printable join cards.

import { ApiError, request } from "../api";
import { t } from "../i18n";
import type { Me } from "../types";

/** GET /api/meetings/{id}/open-link */
export interface OpenLinkStatus {
  active: boolean;
  id: number | null;
  prefix: string | null;
  created_at: string | null;
  joined: number;
  on_projector: boolean;
}

/** POST /api/meetings/{id}/open-link: the only answer with the token and the URL. */
export interface OpenLinkIssued extends OpenLinkStatus {
  token: string;
  url: string;
}

/** GET /api/meetings/{id}/open-link/display */
export interface ProjectorDisplay {
  shown: boolean;
  url: string | null;
  short: string | null;
  /** data:image/svg+xml URI made by the server (segno). */
  qr: string | null;
}

/** GET /api/open/{token}; `signed_in` when this browser is in the meeting already. */
export interface OpenLinkInfo {
  meeting_id: number;
  meeting_title: string;
  signed_in: { name: string; role: string; location: string } | null;
}

const path = (meetingId: number, tail = ""): string => `/api/meetings/${meetingId}/open-link${tail}`;

export const joiningApi = {
  status: (meetingId: number) => request<OpenLinkStatus>(path(meetingId)),
  issue: (meetingId: number) => request<OpenLinkIssued>(path(meetingId), { method: "POST" }),
  revoke: (meetingId: number) => request<OpenLinkStatus>(path(meetingId, "/revoke"), { method: "POST" }),
  show: (meetingId: number, url: string) =>
    request<OpenLinkStatus>(path(meetingId, "/display"), { method: "PUT", body: { url } }),
  hide: (meetingId: number) => request<OpenLinkStatus>(path(meetingId, "/display"), { method: "DELETE" }),
  display: (meetingId: number) => request<ProjectorDisplay>(path(meetingId, "/display")),
  info: (token: string) =>
    request<OpenLinkInfo>(`/api/open/${encodeURIComponent(token)}`),
  join: (token: string, name: string) =>
    request<{ participant: Me; location: string }>(`/api/open/${encodeURIComponent(token)}/join`, {
      method: "POST",
      body: { name },
    }),
};

/** POST /api/meetings/{id}/cards: the PDF, saved by the browser under the server's file name. */
export async function downloadCards(
  meetingId: number,
  body: { expires_in_hours?: number; participant_ids?: number[] },
): Promise<string> {
  let response: Response;
  try {
    response = await fetch(`/api/meetings/${meetingId}/cards`, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", Accept: "application/pdf" },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", t("error.network"));
  }
  if (!response.ok) {
    let detail = t("error.http_status", { status: response.status });
    let code = "http_error";
    try {
      const error = (await response.json()) as { error?: string; detail?: string };
      if (typeof error.detail === "string") detail = error.detail;
      if (typeof error.error === "string") code = error.error;
    } catch {
      // Not the JSON error shape: keep the status line.
    }
    throw new ApiError(response.status, code, detail);
  }
  const disposition = response.headers.get("Content-Disposition") ?? "";
  const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "join-cards.pdf";
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
