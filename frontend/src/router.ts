// Page routes, the same ones app/routes/pages.py serves index.html for.

import type { Me } from "./types";

export type Route =
  | { page: "home" }
  | { page: "document"; documentId: number }
  | { page: "projector"; documentId: number }
  | { page: "board"; documentId: number }
  | { page: "group"; documentId: number; groupCode: string }
  | { page: "open"; token: string }
  | { page: "join" }
  | { page: "meetings" }
  | { page: "setup"; meetingId: number }
  | { page: "unknown" };

export function parseRoute(pathname: string): Route {
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { page: "home" };
  if (path === "/meetings") return { page: "meetings" };
  const setup = /^\/m\/(\d+)\/setup$/.exec(path);
  if (setup) return { page: "setup", meetingId: Number(setup[1]) };
  let m = /^\/d\/(\d+)$/.exec(path);
  if (m) return { page: "document", documentId: Number(m[1]) };
  m = /^\/d\/(\d+)\/projector$/.exec(path);
  if (m) return { page: "projector", documentId: Number(m[1]) };
  m = /^\/d\/(\d+)\/board$/.exec(path);
  if (m) return { page: "board", documentId: Number(m[1]) };
  // /join/{token} reaches the app only when the server refused the link (else it redirects).
  if (/^\/join\/[^/]+$/.test(path)) return { page: "join" };
  m = /^\/open\/([^/]+)$/.exec(path);
  if (m) return { page: "open", token: decodeURIComponent(m[1] ?? "") };
  m = /^\/d\/(\d+)\/group\/([^/]+)$/.exec(path);
  if (m) {
    return { page: "group", documentId: Number(m[1]), groupCode: decodeURIComponent(m[2] ?? "") };
  }
  return { page: "unknown" };
}

/** Where a role starts (mirrors landing_path in app/routes/pages.py). */
export function landingPath(me: Me, documentId: number | null): string {
  if (documentId === null) return "/";
  const base = `/d/${documentId}`;
  if (me.role === "projector") return `${base}/projector`;
  if ((me.role === "rapporteur" || me.role === "participant") && me.group_code) {
    return `${base}/group/${encodeURIComponent(me.group_code)}`;
  }
  if (me.role === "participant") return `${base}/board`;
  return base;
}
