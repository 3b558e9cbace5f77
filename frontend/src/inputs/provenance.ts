// Where a paragraph of the document came from, on hover in the editor. The server keeps one
// provenance record per accepted input (or batch) with the text as accepted; a live paragraph
// whose text still equals a record's is marked (a coloured rule at its start) and its lines
// carry a title: "From group B (name), submitted 14:05; accepted by … at 14:07".
// A paragraph edited since no longer matches and loses its marker: it is no longer that text.

import { type EditorState, type Extension, RangeSetBuilder, StateEffect, StateField } from "@codemirror/state";
import { Decoration, type DecorationSet, EditorView } from "@codemirror/view";

import { isolate, t } from "../i18n";
import type { Provenance } from "../types";
import { clock, normalise } from "./feed";

export interface ProvenanceMark {
  text: string;
  label: string;
}

const setMarks = StateEffect.define<ProvenanceMark[]>();

function build(state: EditorState, marks: ProvenanceMark[]): DecorationSet {
  const builder = new RangeSetBuilder<Decoration>();
  if (marks.length === 0) return builder.finish();
  const byText = new Map<string, string>();
  for (const mark of marks) byText.set(normalise(mark.text), mark.label);
  const text = state.doc.toString();
  const blank = /\n[ \t]*\n/g;
  let start = 0;
  const blocks: { from: number; to: number }[] = [];
  for (let m = blank.exec(text); m; m = blank.exec(text)) {
    blocks.push({ from: start, to: m.index });
    start = m.index + m[0].length;
  }
  blocks.push({ from: start, to: text.length });
  for (const block of blocks) {
    const raw = text.slice(block.from, block.to);
    if (!raw.trim()) continue;
    const label = byText.get(normalise(raw));
    if (label === undefined) continue;
    const lead = raw.length - raw.trimStart().length;
    const first = state.doc.lineAt(block.from + lead).number;
    const last = state.doc.lineAt(block.from + raw.trimEnd().length).number;
    for (let n = first; n <= last; n++) {
      const line = state.doc.line(n);
      const cls = n === first ? "cm-from-input cm-from-input-first" : "cm-from-input";
      builder.add(line.from, line.from, Decoration.line({ attributes: { class: cls, title: label, "data-provenance": label } }));
    }
  }
  return builder.finish();
}

interface MarkState {
  marks: ProvenanceMark[];
  decorations: DecorationSet;
}

const field = StateField.define<MarkState>({
  create: () => ({ marks: [], decorations: Decoration.none }),
  update(value, tr) {
    let marks = value.marks;
    for (const effect of tr.effects) if (effect.is(setMarks)) marks = effect.value;
    if (marks === value.marks && !tr.docChanged) return value;
    return { marks, decorations: build(tr.state, marks) };
  },
  provide: (f) => EditorView.decorations.from(f, (value) => value.decorations),
});

/** The editor extension; feed it with showProvenance(). */
export function provenanceMarks(): Extension {
  return field;
}

export function showProvenance(view: EditorView, marks: ProvenanceMark[]): void {
  view.dispatch({ effects: setMarks.of(marks) });
}

/** The hover text of one record. */
export function provenanceLabel(record: Provenance, timeZone: string): string {
  // A title attribute is plain text: names go in as bidi isolates (FSI … PDI).
  const sources = record.inputs.map((source) => {
    const values = {
      who: source.rapporteur ? isolate(source.rapporteur) : "none",
      time: clock(source.submitted_at, timeZone),
      group: source.group_code ?? "",
    };
    return source.source === "board" ? t("provenance.fromBoard", values) : t("provenance.fromGroup", values);
  });
  const board = record.source === "board";
  const from = sources.length
    ? t("provenance.from", { sources: sources.join("; ") })
    : board
      ? t("provenance.fromTheBoard")
      : t("provenance.fromInput");
  const by = { name: isolate(record.accepted_by_name), time: clock(record.accepted_at, timeZone) };
  return `${from} ${board ? t("provenance.promotedBy", by) : t("provenance.acceptedBy", by)}`;
}
