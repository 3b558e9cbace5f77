// The table of contents beside the document: one link per section, the current one marked.

import { h, replaceChildren } from "../dom";
import { autoDir } from "../render";
import { sectionDomId } from "../sections";
import type { SectionMeta } from "../types";

export function renderToc(toc: HTMLElement, order: readonly SectionMeta[], current: number | null): void {
  replaceChildren(
    toc,
    ...order.map((meta) => {
      const a = autoDir("a", meta.title);
      a.href = `#${sectionDomId(meta.id)}`;
      const isCurrent = meta.id === current;
      if (isCurrent) a.setAttribute("aria-current", "location");
      return h("li", { class: isCurrent ? "is-current" : "" }, a);
    }),
  );
}
