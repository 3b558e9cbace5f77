// The Versions panel of the editor (secretariat and chair): the document's named checkpoints,
// newest first, with their time in the meeting's time zone; open one read-only (in place of
// the live sections, under a "back to live" bar), export it, compare any two versions or a
// version with the live document (per section, insertions and deletions marked with <ins> and
// <del>, underlined and struck through, not by colour only). The secretariat saves a named
// checkpoint here. Every text arrives from the API and goes in through textContent only; each
// paragraph takes its own direction (dir="auto").

import { errorMessage, request } from "../api";
import { zoneName } from "../agenda";
import { h, replaceChildren } from "../dom";
import { type MessageKey, bdi, intlLocale, t, tBdi, tNodes } from "../i18n";
import { parseBlocks, renderBlock } from "../markdown";
import type { OutcomeDocument } from "../types";

/** GET /api/documents/{id}/checkpoints */
export interface Version {
  id: number;
  name: string;
  created_at: string;
  created_by: { id: number; name: string } | null;
  kind: "manual" | "auto";
  agenda_item_id: number | null;
}

type Ref = number | "live";
type Change = "added" | "removed" | "changed" | "unchanged" | "renamed";

interface Hunk {
  op: "equal" | "insert" | "delete";
  text: string;
}

/** GET /api/documents/{id}/compare?from=&to= */
export interface Comparison {
  from: Ref;
  to: Ref;
  sections: { section_id: number; title: string; old_title: string | null; change: Change; hunks: Hunk[] }[];
}

export const versionsApi = {
  list: (documentId: number): Promise<Version[]> => request<Version[]>(`/api/documents/${documentId}/checkpoints`),
  save: (documentId: number, name: string): Promise<Version> =>
    request<Version>(`/api/documents/${documentId}/checkpoints`, { method: "POST", body: { name } }),
  open: (documentId: number, checkpointId: number): Promise<OutcomeDocument> =>
    request<OutcomeDocument>(`/api/documents/${documentId}?checkpoint=${checkpointId}`),
  compare: (documentId: number, from: Ref, to: Ref): Promise<Comparison> =>
    request<Comparison>(`/api/documents/${documentId}/compare?from=${from}&to=${to}`),
  /** The export endpoint (GET …/export?format=&checkpoint=). */
  exportUrl: (documentId: number, format: "docx" | "pdf", checkpointId: number): string =>
    `/api/documents/${documentId}/export?format=${format}&checkpoint=${checkpointId}`,
};

const CHANGE_LABEL: Record<Change, MessageKey> = {
  added: "versions.change.added",
  removed: "versions.change.removed",
  changed: "versions.change.changed",
  unchanged: "versions.change.unchanged",
  renamed: "versions.change.renamed",
};

/** "12 Feb 2024, 11:20 (Dubai time)": a time in the meeting's time zone, the zone named. */
export function meetingTime(iso: string, timeZone: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const options: Intl.DateTimeFormatOptions = {
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  };
  try {
    const text = new Intl.DateTimeFormat(intlLocale(), { ...options, timeZone }).format(date);
    return t("versions.time", { time: text, zone: zoneName(timeZone) });
  } catch {
    const text = new Intl.DateTimeFormat(intlLocale(), { ...options, timeZone: "UTC" }).format(date);
    return t("versions.timeUtc", { time: text });
  }
}

/** A diff's hunks as paragraphs (one per line, each dir="auto"), with <ins> and <del>. */
export function diffParagraphs(hunks: readonly Hunk[]): HTMLElement {
  const out = h("div", { class: "compare-text" });
  let paragraph = h("p", { attrs: { dir: "auto" } });
  const close = (): void => {
    if (paragraph.childNodes.length > 0) out.append(paragraph);
    paragraph = h("p", { attrs: { dir: "auto" } });
  };
  for (const hunk of hunks) {
    const tag = hunk.op === "insert" ? "ins" : hunk.op === "delete" ? "del" : "span";
    hunk.text.split("\n").forEach((piece, i) => {
      if (i > 0) close();
      if (piece) paragraph.append(h(tag, { class: `compare-${hunk.op}`, text: piece }));
    });
  }
  close();
  return out;
}

function button(text: string, className: string): HTMLButtonElement {
  return h("button", { class: `button ${className}`, attrs: { type: "button" }, text });
}

const describe = errorMessage;

export interface VersionsOptions {
  documentId: number;
  timeZone: string;
  /** The secretariat may save a named checkpoint. */
  canSave: boolean;
  /** The live sections: a version or a comparison is shown in their place. */
  live: HTMLElement;
  notify(text: string | Node[]): void;
}

export class VersionsPanel {
  /** The "Versions" button for the document's tools. */
  readonly toggle: HTMLButtonElement;
  /** The panel (shown while the button is pressed). */
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly from: HTMLSelectElement;
  private readonly to: HTMLSelectElement;
  private readonly viewer: HTMLElement;
  private versions: Version[] = [];

  constructor(private readonly options: VersionsOptions) {
    this.toggle = h("button", {
      class: "tool versions-toggle",
      attrs: { type: "button", "aria-expanded": "false", "aria-controls": "versions-panel" },
      text: t("versions.title"),
    });
    this.toggle.addEventListener("click", () => this.setOpen(this.el.hidden));
    this.list = h("ol", { class: "versions-list" });
    this.from = h("select", { class: "versions-from", attrs: { "aria-label": t("versions.compareFrom") } });
    this.to = h("select", { class: "versions-to", attrs: { "aria-label": t("versions.compareWith") } });
    const compare = button(t("versions.compare"), "versions-compare");
    compare.addEventListener("click", () => void this.compare());
    // Automatic checkpoints arrive while the panel is open (an agenda item ends).
    const refresh = h("button", { class: "link-button versions-refresh", attrs: { type: "button" }, text: t("versions.refresh") });
    refresh.addEventListener("click", () => void this.load());
    this.el = h(
      "section",
      { class: "versions", attrs: { id: "versions-panel", "aria-label": t("versions.title") } },
      h("div", { class: "versions-top" }, h("h2", { class: "versions-heading", text: t("versions.title") }), refresh),
      options.canSave ? this.saveForm() : null,
      this.list,
      h(
        "div",
        { class: "versions-compare-form" },
        h("span", { text: t("versions.compareWord") }),
        this.from,
        h("span", { text: t("versions.withWord") }),
        this.to,
        compare,
      ),
    );
    this.el.hidden = true;
    this.viewer = h("div", { class: "version-view", attrs: { "aria-live": "polite" } });
    this.viewer.hidden = true;
    options.live.before(this.viewer);
  }

  setOpen(open: boolean): void {
    this.el.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
    if (open) void this.load();
    else this.backToLive();
  }

  async load(): Promise<void> {
    try {
      this.versions = await versionsApi.list(this.options.documentId);
    } catch (err) {
      replaceChildren(this.list, h("li", { class: "muted", text: t("versions.unreadable", { detail: describe(err) }) }));
      return;
    }
    this.render();
  }

  private saveForm(): HTMLElement {
    const name = h("input", {
      class: "input versions-name",
      attrs: { type: "text", placeholder: t("versions.namePlaceholder"), "aria-label": t("versions.nameLabel"), maxlength: "200", dir: "auto" },
    });
    const save = button(t("versions.save"), "versions-save");
    save.type = "submit";
    const form = h("form", { class: "versions-save-form" }, name, save);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = name.value.trim();
      if (!value) {
        name.focus();
        return;
      }
      save.disabled = true;
      versionsApi
        .save(this.options.documentId, value)
        .then(async () => {
          name.value = "";
          this.options.notify(tBdi("versions.saved", { name: value }));
          await this.load();
        })
        .catch((err: unknown) => this.options.notify(describe(err)))
        .finally(() => {
          save.disabled = false;
        });
    });
    return form;
  }

  private render(): void {
    const newest = [...this.versions].sort((a, b) => b.id - a.id);
    if (newest.length === 0) {
      replaceChildren(this.list, h("li", { class: "muted", text: t("versions.empty") }));
    } else {
      replaceChildren(this.list, ...newest.map((v) => this.row(v)));
    }
    const choice = (v: Version): HTMLOptionElement => h("option", { attrs: { value: String(v.id) }, text: v.name });
    replaceChildren(this.from, ...newest.map(choice));
    replaceChildren(this.to, h("option", { attrs: { value: "live" }, text: t("versions.liveDocument") }), ...newest.map(choice));
    this.to.value = "live";
  }

  private row(version: Version): HTMLElement {
    const { documentId, timeZone } = this.options;
    const open = h("button", { class: "link-button version-open", attrs: { type: "button" }, text: t("versions.open") });
    open.addEventListener("click", () => void this.open(version));
    const by = version.kind === "auto" ? t("versions.automatic") : version.created_by?.name ?? "";
    return h(
      "li",
      { class: `version version-${version.kind}`, attrs: { "data-checkpoint-id": String(version.id) } },
      h("span", { class: "version-name", attrs: { dir: "auto" }, text: version.name }),
      h("span", { class: "version-time", text: meetingTime(version.created_at, timeZone) }),
      by ? h("span", { class: "version-by", attrs: { dir: "auto" }, text: by }) : null,
      h(
        "span",
        { class: "version-actions" },
        open,
        h("a", { class: "version-export", attrs: { href: versionsApi.exportUrl(documentId, "docx", version.id) }, text: "DOCX" }),
        h("a", { class: "version-export", attrs: { href: versionsApi.exportUrl(documentId, "pdf", version.id) }, text: "PDF" }),
      ),
    );
  }

  private name(ref: Ref): Node {
    if (ref === "live") return document.createTextNode(t("versions.liveDocument"));
    const found = this.versions.find((v) => v.id === ref);
    const span = h("span");
    span.append(...(found ? tBdi("versions.named", { name: found.name }) : tNodes("versions.numbered", { n: ref })));
    return span;
  }

  /** Show `content` in place of the live sections, under a bar that leads back. */
  private show(message: Node[], ...content: HTMLElement[]): void {
    const back = button(t("versions.back"), "version-back");
    back.addEventListener("click", () => this.backToLive());
    const bar = h("div", { class: "version-bar", attrs: { role: "status" } }, h("span", {}, ...message), back);
    replaceChildren(this.viewer, bar, ...content);
    this.viewer.hidden = false;
    this.options.live.hidden = true;
    bar.scrollIntoView({ block: "nearest" });
  }

  backToLive(): void {
    replaceChildren(this.viewer);
    this.viewer.hidden = true;
    this.options.live.hidden = false;
  }

  private async open(version: Version): Promise<void> {
    let document: OutcomeDocument;
    try {
      document = await versionsApi.open(this.options.documentId, version.id);
    } catch (err) {
      this.options.notify(describe(err));
      return;
    }
    const sections = document.sections.map((section) => {
      const body = h("div", { class: "section-body" });
      const blocks = parseBlocks(section.body);
      if (blocks.length === 0) body.append(h("p", { class: "muted", text: t("versions.nothing") }));
      for (const block of blocks) body.append(renderBlock(block));
      return h(
        "section",
        { class: `version-section section-${section.kind}`, attrs: { "data-section-id": String(section.id) } },
        h("h2", { class: "section-title", attrs: { dir: "auto" }, text: section.title }),
        body,
      );
    });
    const when = meetingTime(version.created_at, this.options.timeZone);
    this.show(tNodes("versions.viewing", { name: bdi(version.name), when }), ...sections);
  }

  private async compare(): Promise<void> {
    const parse = (value: string): Ref => (value === "live" ? "live" : Number(value));
    const from = parse(this.from.value);
    const to = parse(this.to.value);
    if (!from) return;
    let comparison: Comparison;
    try {
      comparison = await versionsApi.compare(this.options.documentId, from, to);
    } catch (err) {
      this.options.notify(describe(err));
      return;
    }
    const legend = h(
      "p",
      { class: "compare-legend" },
      ...tNodes("versions.legend", {
        inserted: h("ins", { class: "compare-insert", text: t("versions.inserted") }),
        deleted: h("del", { class: "compare-delete", text: t("versions.deleted") }),
      }),
    );
    const rows = comparison.sections.map((row) => {
      const change = t(CHANGE_LABEL[row.change]);
      const label = row.old_title !== null ? t("versions.was", { change, title: row.old_title }) : change;
      return h(
        "section",
        {
          class: `compare-section compare-${row.change}`,
          attrs: { "data-section-id": String(row.section_id), "data-change": row.change },
        },
        h(
          "header",
          { class: "compare-head" },
          h("h2", { class: "section-title", attrs: { dir: "auto" }, text: row.title }),
          h("span", { class: `badge compare-badge`, attrs: { dir: "auto" }, text: label }),
        ),
        row.change === "unchanged" ? null : diffParagraphs(row.hunks),
      );
    });
    this.show(tNodes("versions.comparing", { from: this.name(from), to: this.name(to) }), legend, ...rows);
  }
}
