// The agenda strip: every item of the day, with the one running now marked. "Now" is what the
// secretariat set (meeting.current_agenda_item_id, since meetings run late) or, failing that,
// the item whose time range holds the meeting's local clock in meeting.time_zone.

import { h, replaceChildren } from "./dom";
import { t } from "./i18n";
import type { AgendaItem, Meeting } from "./types";

/** Minutes since midnight of "HH:MM" or "HH:MM:SS". */
export function minutesOf(time: string): number {
  const [hours = "0", minutes = "0"] = time.split(":");
  return Number(hours) * 60 + Number(minutes);
}

/** "HH:MM" of "HH:MM:SS". */
export function shortTime(time: string): string {
  return time.slice(0, 5);
}

/** The wall clock in `timeZone` as minutes since midnight (UTC if the zone is unknown). */
export function localMinutes(timeZone: string, now: Date = new Date()): number {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
  } catch {
    return now.getUTCHours() * 60 + now.getUTCMinutes();
  }
  let hours = 0;
  let minutes = 0;
  for (const part of format.formatToParts(now)) {
    if (part.type === "hour") hours = Number(part.value) % 24;
    if (part.type === "minute") minutes = Number(part.value);
  }
  return hours * 60 + minutes;
}

/** "14:05" in the meeting's time zone. */
export function localClock(timeZone: string, now: Date = new Date()): string {
  const minutes = localMinutes(timeZone, now);
  const pad = (n: number): string => String(n).padStart(2, "0");
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** The agenda item running now, or null between items and outside the day's programme. */
export function currentAgendaItem(
  meeting: Meeting,
  agenda: readonly AgendaItem[],
  now: Date = new Date(),
): AgendaItem | null {
  if (meeting.current_agenda_item_id !== null) {
    const chosen = agenda.find((item) => item.id === meeting.current_agenda_item_id);
    if (chosen) return chosen;
  }
  const clock = localMinutes(meeting.time_zone, now);
  return (
    agenda.find((item) => minutesOf(item.start) <= clock && clock < minutesOf(item.end)) ?? null
  );
}

/** A short name for a time zone: "Asia/Dubai" → "Dubai". */
export function zoneName(timeZone: string): string {
  const last = timeZone.split("/").pop() ?? timeZone;
  return last.replace(/_/g, " ");
}

export function renderAgendaStrip(
  container: HTMLElement,
  meeting: Meeting,
  agenda: readonly AgendaItem[],
  onPick: ((item: AgendaItem) => void) | null = null,
  now: Date = new Date(),
): AgendaItem | null {
  const current = currentAgendaItem(meeting, agenda, now);
  const clock = h("p", {
    class: "agenda-clock",
    text: t("agenda.clock", {
      zone: zoneName(meeting.time_zone),
      time: localClock(meeting.time_zone, now),
    }),
  });
  const nowLine = h(
    "p",
    { class: "agenda-now" },
    h("span", { class: "agenda-now-label", text: t("agenda.now") }),
    current
      ? h("span", {
          class: "agenda-now-title",
          attrs: { dir: "auto" },
          text: `${shortTime(current.start)}–${shortTime(current.end)} ${current.title}`,
        })
      : h("span", { class: "agenda-now-title muted", text: t("agenda.nothingRunning") }),
  );
  const list = h("ol", { class: "agenda-items" });
  for (const item of agenda) {
    const isCurrent = current !== null && item.id === current.id;
    const time = h("span", {
      class: "agenda-time",
      text: `${shortTime(item.start)}–${shortTime(item.end)}`,
    });
    const title = h("span", { class: "agenda-title", attrs: { dir: "auto" }, text: item.title });
    const li = h("li", {
      class: `agenda-item agenda-${item.kind}${isCurrent ? " is-current" : ""}`,
      attrs: { "data-agenda-id": String(item.id) },
    });
    if (onPick) {
      // One click sets the item running now (meetings run late); the clock only suggests it.
      const pick = h(
        "button",
        {
          class: "agenda-pick",
          attrs: { type: "button", title: isCurrent ? t("agenda.runningNow") : t("agenda.markRunning") },
        },
        time,
        title,
      );
      pick.addEventListener("click", () => onPick(item));
      li.append(pick);
    } else {
      li.append(time, title);
    }
    if (isCurrent) li.setAttribute("aria-current", "time");
    list.append(li);
  }
  replaceChildren(
    container,
    h("div", { class: "agenda-summary" }, nowLine, clock),
    // Focusable: a keyboard user scrolls the strip with the arrow keys (WCAG 2.1.1).
    h("nav", { class: "agenda-scroll", attrs: { "aria-label": t("agenda.label"), tabindex: "0" } }, list),
  );
  const currentEl = list.querySelector<HTMLElement>(".is-current");
  const scroller = container.querySelector<HTMLElement>(".agenda-scroll");
  if (currentEl && scroller) {
    // Keep the running item in view without scrolling the page itself.
    scroller.scrollLeft = Math.max(0, currentEl.offsetLeft - scroller.clientWidth / 3);
  }
  return current;
}
