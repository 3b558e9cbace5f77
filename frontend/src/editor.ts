// A CodeMirror 6 editor bound to one Y.Text with y-codemirror.next: shared text, the others'
// cursors and selections with their names (awareness), and a shared-aware undo. Markdown with
// light inline styling. Every line carries dir="auto" and the view reads each line's direction
// on its own, so Arabic lines run right-to-left next to English and French ones.

import { defaultKeymap } from "@codemirror/commands";
import {
  HighlightStyle,
  Language,
  LanguageSupport,
  defineLanguageFacet,
  syntaxHighlighting,
} from "@codemirror/language";
import { Compartment, EditorState, type Extension, RangeSetBuilder, Transaction } from "@codemirror/state";
import {
  Decoration,
  type DecorationSet,
  EditorView,
  ViewPlugin,
  type ViewUpdate,
  keymap,
  placeholder,
} from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { parser as markdownParser } from "@lezer/markdown";
import { yCollab, yUndoManagerKeymap } from "y-codemirror.next";
import type { Awareness } from "y-protocols/awareness";
import * as Y from "yjs";

import { t } from "./i18n";
import { arabicLang } from "./markdown";

// CommonMark from @lezer/markdown (its parser carries the highlighting tags). Not
// @codemirror/lang-markdown, which bundles the HTML, CSS and JavaScript languages as well.
const markdownLanguage = new Language(defineLanguageFacet(), markdownParser, [], "markdown");
const markdown = (): LanguageSupport => new LanguageSupport(markdownLanguage);

const autoDirLine = Decoration.line({ attributes: { dir: "auto" } });
const arabicLine = Decoration.line({ attributes: { dir: "auto", lang: "ar" } });

/** dir="auto" on every visible line (and lang="ar" on Arabic ones, for fonts and readers). */
const lineDirection = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet;
    constructor(view: EditorView) {
      this.decorations = this.build(view);
    }
    update(update: ViewUpdate): void {
      if (update.docChanged || update.viewportChanged) this.decorations = this.build(update.view);
    }
    build(view: EditorView): DecorationSet {
      const builder = new RangeSetBuilder<Decoration>();
      for (const { from, to } of view.visibleRanges) {
        for (let pos = from; pos <= to; ) {
          const line = view.state.doc.lineAt(pos);
          builder.add(line.from, line.from, arabicLang(line.text) ? arabicLine : autoDirLine);
          pos = line.to + 1;
        }
      }
      return builder.finish();
    }
  },
  { decorations: (plugin) => plugin.decorations },
);

const markdownStyle = HighlightStyle.define([
  { tag: tags.heading1, fontWeight: "700", fontSize: "1.3em" },
  { tag: tags.heading2, fontWeight: "700", fontSize: "1.15em" },
  { tag: [tags.heading3, tags.heading4, tags.heading5, tags.heading6], fontWeight: "700" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.link, textDecoration: "underline" },
  { tag: [tags.processingInstruction, tags.meta, tags.contentSeparator], color: "#6a7580" },
  { tag: tags.list, color: "#0b5cab" },
  { tag: tags.quote, color: "#4a5560", fontStyle: "italic" },
]);

// The page's CSP allows CodeMirror's <style> element by nonce (app/routes/pages.py).
const cspNonce =
  document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? "";

export interface SectionEditor {
  view: EditorView;
  setReadOnly(readOnly: boolean): void;
  setLabel(name: string): void;
  destroy(): void;
}

export interface EditorOptions {
  readOnly: boolean;
  /** The accessible name of the text box, e.g. the section title. */
  label: string;
  placeholder?: string;
  /** More CodeMirror extensions (e.g. the provenance markers). */
  extensions?: Extension[];
  /** Asked before a change typed here (not one arriving from the room) applies; false drops
   * it (e.g. the first edit of an Agreed section waits for the secretariat's confirmation). */
  allowEdit?: () => boolean;
}

export function createEditor(
  parent: HTMLElement,
  text: Y.Text,
  awareness: Awareness,
  options: EditorOptions,
): SectionEditor {
  const undoManager = new Y.UndoManager(text);
  const access = new Compartment();
  const label = new Compartment();
  const accessOf = (readOnly: boolean): Extension => [
    EditorState.readOnly.of(readOnly),
    EditorView.editable.of(!readOnly),
  ];
  const labelOf = (name: string): Extension =>
    // Spell-checking on: each line carries its own lang (ar on Arabic lines; others the page's),
    // so the browser checks every paragraph in its language.
    EditorView.contentAttributes.of({ "aria-label": name, "aria-multiline": "true", spellcheck: "true" });
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: text.toString(),
      extensions: [
        // No Tab binding: Tab and Shift-Tab leave the editor for the next control, as everywhere
        // else on the page (a Tab that indents traps keyboard users and changes shared text).
        keymap.of([...yUndoManagerKeymap, ...defaultKeymap]),
        EditorState.transactionFilter.of((tr) =>
          tr.docChanged && tr.annotation(Transaction.userEvent) !== undefined && options.allowEdit?.() === false
            ? []
            : tr,
        ),
        markdown(),
        syntaxHighlighting(markdownStyle),
        EditorView.cspNonce.of(cspNonce),
        EditorView.lineWrapping,
        EditorView.perLineTextDirection.of(true),
        lineDirection,
        placeholder(options.placeholder ?? t("editor.placeholder")),
        // CodeMirror's own grey placeholder is 3.5:1; the muted ink is 5.45:1 (WCAG 1.4.3).
        EditorView.theme({ ".cm-placeholder": { color: "#5f6b76" } }),
        access.of(accessOf(options.readOnly)),
        label.of(labelOf(options.label)),
        yCollab(text, awareness, { undoManager }),
        ...(options.extensions ?? []),
      ],
    }),
  });
  return {
    view,
    setReadOnly(readOnly: boolean): void {
      view.dispatch({ effects: access.reconfigure(accessOf(readOnly)) });
    },
    setLabel(name: string): void {
      view.dispatch({ effects: label.reconfigure(labelOf(name)) });
    },
    destroy(): void {
      view.destroy();
      undoManager.destroy();
    },
  };
}
