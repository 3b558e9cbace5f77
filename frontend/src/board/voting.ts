// The board's voting round on screen, from the room's server-only "round" map
// (docs/protocol.md): a banner with the countdown (the server's clock, corrected for this
// device's), the votes cast and, once closed, the ranking; a Vote button on each note for
// participants and rapporteurs; live counts on each note and Start/Close for the secretariat.
// The counts of an open round are never in the room: the secretariat fetches them (REST)
// whenever the room says another vote was cast.

import type * as Y from "yjs";

import { api, errorMessage } from "../api";
import { h, replaceChildren } from "../dom";
import { t } from "../i18n";
import type { BoardRound } from "../types";

export interface RoundEntry {
  id: number;
  status: "open" | "closed";
  votes_per_person: number;
  allow_double: boolean;
  closes_at: string;
  cast: number;
  results: { note_id: string; votes: number }[] | null;
}

/** What a note card shows of the round (null: no round to show). */
export interface NoteVoting {
  /** Votes for the note, when the viewer may know them. */
  count: number | null;
  /** The viewer's votes for it. */
  mine: number;
  /** A Vote button. */
  canVote: boolean;
}

function readEntry(map: Y.Map<unknown>): RoundEntry | null {
  const value = map.get("current");
  if (typeof value !== "object" || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v["id"] !== "number" || typeof v["closes_at"] !== "string") return null;
  return {
    id: v["id"],
    status: v["status"] === "closed" ? "closed" : "open",
    votes_per_person: typeof v["votes_per_person"] === "number" ? v["votes_per_person"] : 0,
    allow_double: v["allow_double"] === true,
    closes_at: v["closes_at"],
    cast: typeof v["cast"] === "number" ? v["cast"] : 0,
    results: Array.isArray(v["results"]) ? (v["results"] as RoundEntry["results"]) : null,
  };
}

function clockText(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return `${minutes}:${String(seconds).padStart(2, "0")}`;
}

export class RoundView {
  readonly el: HTMLElement;
  private entry: RoundEntry | null = null;
  private mine: BoardRound | null = null;
  private offset = 0; // server clock minus this device's
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly banner: HTMLElement;
  private readonly clock: HTMLElement;
  private readonly ranking: HTMLElement;
  private readonly controls: HTMLElement;
  private readonly problem: HTMLElement;
  private fetching = false;
  private refetch = false;

  constructor(
    private readonly documentId: number,
    private readonly map: Y.Map<unknown>,
    private readonly role: { voter: boolean; moderator: boolean },
    private readonly noteText: (id: string) => string | null,
    private readonly changed: () => void,
  ) {
    this.clock = h("p", { class: "board-round-clock", attrs: { role: "timer" } });
    this.banner = h("p", { class: "board-round-status", attrs: { "aria-live": "polite" } });
    this.ranking = h("ol", { class: "board-ranking" });
    this.problem = h("p", { class: "form-error", attrs: { role: "alert" } });
    this.controls = h("div", { class: "board-round-controls" });
    this.el = h(
      "section",
      { class: "board-round", attrs: { "aria-label": t("board.vote.voting") } },
      this.clock,
      this.banner,
      this.ranking,
      this.controls,
      this.problem,
    );
    map.observe(() => this.read());
    this.read();
  }

  /** What the card of note `id` shows. */
  voting(id: string): NoteVoting | null {
    const entry = this.entry;
    if (entry === null) return null;
    const mine = this.mine?.id === entry.id ? this.mine.mine.filter((n) => n === id).length : 0;
    if (entry.status === "closed") {
      const votes = entry.results?.find((r) => r.note_id === id)?.votes ?? 0;
      return { count: votes, mine, canVote: false };
    }
    const counts = this.mine?.id === entry.id ? this.mine.counts : null;
    const count = counts ? (counts.find((c) => c.note_id === id)?.votes ?? 0) : null;
    const left = this.mine?.id === entry.id ? this.mine.remaining : entry.votes_per_person;
    const canVote = this.role.voter && !this.timeUp() && left > 0 && (entry.allow_double || mine === 0);
    return { count, mine, canVote };
  }

  /** Give note `id` one of the viewer's votes. */
  async vote(id: string): Promise<void> {
    if (this.entry === null) return;
    this.problem.textContent = "";
    try {
      this.mine = await api.vote(this.documentId, this.entry.id, id);
      this.learnClock(this.mine.now);
    } catch (err) {
      this.problem.textContent = errorMessage(err);
    }
    this.render();
    this.changed();
  }

  private timeUp(): boolean {
    if (this.entry === null) return true;
    return Date.parse(this.entry.closes_at) - (Date.now() + this.offset) <= 0;
  }

  private learnClock(serverNow: string): void {
    const at = Date.parse(serverNow);
    if (Number.isFinite(at)) this.offset = at - Date.now();
  }

  private read(): void {
    const entry = readEntry(this.map);
    const before = this.entry;
    this.entry = entry;
    if (entry === null) {
      this.render();
      return;
    }
    // The viewer's own votes (and the secretariat's live counts) come from REST: fetch when
    // the round is new to this page, when it closes, and for the secretariat on every vote.
    const fresh = before?.id !== entry.id || before.status !== entry.status;
    if (fresh || (this.role.moderator && before?.cast !== entry.cast) || this.mine === null) void this.fetch();
    this.render();
    this.changed();
  }

  private async fetch(): Promise<void> {
    if (this.fetching) {
      this.refetch = true;
      return;
    }
    this.fetching = true;
    try {
      const round = await api.latestRound(this.documentId);
      this.mine = round;
      this.learnClock(round.now);
    } catch {
      // No round (404) or offline: the room's entry is still shown.
    } finally {
      this.fetching = false;
    }
    if (this.refetch) {
      this.refetch = false;
      await this.fetch();
      return;
    }
    this.render();
    this.changed();
  }

  private tick(): void {
    const entry = this.entry;
    if (entry === null || entry.status === "closed") return;
    const left = Date.parse(entry.closes_at) - (Date.now() + this.offset);
    this.clock.textContent = left > 0 ? t("board.vote.timeLeft", { time: clockText(left) }) : t("board.vote.timeUp");
    if (left <= 0 && this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      // The server closes the round at its end; asking also closes it after a restart.
      void this.fetch();
      this.renderControls(entry);
      this.changed();
    }
  }

  private render(): void {
    const entry = this.entry;
    this.el.hidden = entry === null && !this.role.moderator;
    this.el.dataset["status"] = entry?.status ?? "none";
    if (this.timer !== null && entry?.status !== "open") {
      clearInterval(this.timer);
      this.timer = null;
    }
    if (entry === null) {
      this.clock.textContent = "";
      this.banner.textContent = "";
      replaceChildren(this.ranking);
      delete this.ranking.dataset["signature"];
    } else if (entry.status === "open") {
      const rules = t("board.vote.rules", { count: entry.votes_per_person, double: entry.allow_double ? "yes" : "no" });
      const parts = [rules, t("board.vote.cast", { count: entry.cast })];
      if (this.role.voter && this.mine?.id === entry.id) parts.push(t("board.vote.left", { count: this.mine.remaining }));
      this.banner.textContent = parts.join(" · ");
      replaceChildren(this.ranking);
      delete this.ranking.dataset["signature"];
      if (this.timer === null) this.timer = setInterval(() => this.tick(), 250);
      this.tick();
    } else {
      this.clock.textContent = t("board.vote.closed");
      this.banner.textContent = t("board.vote.cast", { count: entry.cast });
      const top = (entry.results ?? []).slice(0, 10);
      // Rebuilt only when it changed: a screen reader (or a test) keeps its place.
      const signature = JSON.stringify(top.map((r) => [r.note_id, r.votes, this.noteText(r.note_id)]));
      if (this.ranking.dataset["signature"] === signature) {
        this.renderControls(entry);
        return;
      }
      this.ranking.dataset["signature"] = signature;
      replaceChildren(
        this.ranking,
        ...top.map((r) =>
          h(
            "li",
            { class: "board-ranking-item", attrs: { "data-note-id": r.note_id } },
            h("span", { class: "board-ranking-text", attrs: { dir: "auto" }, text: this.noteText(r.note_id) ?? "—" }),
            h("span", { class: "board-ranking-votes", text: t("board.vote.votes", { count: r.votes }) }),
          ),
        ),
      );
    }
    this.renderControls(entry);
  }

  private renderControls(entry: RoundEntry | null): void {
    if (!this.role.moderator) return;
    const open = entry?.status === "open" && !this.timeUp();
    const key = open ? `close-${entry?.id}` : "start";
    if (this.controls.dataset["key"] === key) return;
    this.controls.dataset["key"] = key;
    if (open && entry) {
      const close = h("button", { class: "button board-round-close", attrs: { type: "button" }, text: t("board.vote.closeNow") });
      close.addEventListener("click", () => {
        api.closeRound(this.documentId, entry.id).catch((err: unknown) => {
          this.problem.textContent = errorMessage(err);
        });
      });
      replaceChildren(this.controls, close);
      return;
    }
    replaceChildren(this.controls, this.startForm());
  }

  private startForm(): HTMLElement {
    const number = (id: string, value: string, min: string, max: string): HTMLInputElement =>
      h("input", { class: "input board-round-number", attrs: { id, type: "number", min, max, value, required: "" } });
    const minutes = number("board-round-minutes", "3", "1", "120");
    const votes = number("board-round-votes", "3", "1", "20");
    const double = h("input", { attrs: { id: "board-round-double", type: "checkbox" } });
    const start = h("button", { class: "button button-primary board-round-start", attrs: { type: "submit" }, text: t("board.vote.start") });
    const form = h(
      "form",
      { class: "board-round-form" },
      h("label", { class: "field-label", attrs: { for: minutes.id }, text: t("board.vote.minutes") }),
      minutes,
      h("label", { class: "field-label", attrs: { for: votes.id }, text: t("board.vote.perPerson") }),
      votes,
      h("label", { class: "board-round-double", attrs: { for: double.id } }, double, h("span", { text: t("board.vote.double") })),
      start,
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.problem.textContent = "";
      const body = {
        duration_seconds: Math.round(Number(minutes.value) * 60),
        votes_per_person: Math.round(Number(votes.value)),
        allow_double: double.checked,
      };
      api.openRound(this.documentId, body).then(
        (round) => {
          this.mine = round;
          this.learnClock(round.now);
        },
        (err: unknown) => {
          this.problem.textContent = errorMessage(err);
        },
      );
    });
    return form;
  }
}
