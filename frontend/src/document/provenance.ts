// Provenance of the paragraphs that came from breakout inputs (inputs/provenance.ts draws the
// markers): the document's records, fetched again shortly after something may have added one.

import { api } from "../api";
import { type ProvenanceMark, provenanceLabel } from "../inputs/provenance";
import type { Provenance } from "../types";

/** Coalesce a burst of acceptances into one request. */
const RELOAD_DELAY_MS = 150;

export class DocumentProvenance {
  private readonly marks = new Map<number, ProvenanceMark[]>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `changed` is called after every load, to redraw the markers of every section. */
  constructor(
    private readonly documentId: number,
    private readonly timeZone: string,
    private readonly changed: () => void,
  ) {}

  of(sectionId: number): ProvenanceMark[] | undefined {
    return this.marks.get(sectionId);
  }

  load(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      api
        .provenance(this.documentId)
        .then((records) => this.apply(records))
        .catch(() => {
          // Offline or not yet available: the markers come with the next acceptance or reload.
        });
    }, RELOAD_DELAY_MS);
  }

  private apply(records: Provenance[]): void {
    this.marks.clear();
    for (const record of records) {
      const list = this.marks.get(record.section_id) ?? [];
      list.push({ text: record.text, label: provenanceLabel(record, this.timeZone) });
      this.marks.set(record.section_id, list);
    }
    this.changed();
  }
}
