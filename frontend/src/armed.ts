// Buttons that ask again before they act ("Remove" → "Confirm: …"), and keeping the keyboard
// focus where it was when a live change rebuilds a list.
//
// Some lists are rebuilt whenever the room changes (a note card on a vote, the column panel on
// a rename by another secretariat member, a section's history on a new revision). The armed state therefore lives here, keyed by what the button acts on,
// not in the element: the rebuilt button comes back armed for the rest of its five seconds,
// so a second click lands on "Confirm" instead of a freshly disarmed "Remove".

import { h } from "./dom";

const ARM_MS = 5_000;

/** Key → when the armed state ends (performance.now() time). */
const armedUntil = new Map<string, number>();

function isArmed(key: string): boolean {
  const until = armedUntil.get(key);
  if (until === undefined) return false;
  if (until > performance.now()) return true;
  armedUntil.delete(key);
  return false;
}

export interface Armed {
  /** What the button acts on, unique on the page ("column:5:remove", "note:ab12:delete"). */
  key: string;
  text: string;
  confirmText: string;
  /** The whole class attribute ("button note-remove", "link-button revision-restore"). */
  className: string;
  attrs?: Record<string, string>;
  act: () => void;
}

export function armedButton({ key, text, confirmText, className, attrs = {}, act }: Armed): HTMLButtonElement {
  const el = h("button", {
    class: className,
    attrs: { type: "button", "data-focus": key, ...attrs },
    text,
  });
  const show = (armed: boolean): void => {
    el.textContent = armed ? confirmText : text;
    el.classList.toggle("is-armed", armed);
  };
  // Disarms this element when its time is up; a rebuilt element has its own timer.
  const disarmLater = (): void => {
    const left = (armedUntil.get(key) ?? 0) - performance.now();
    setTimeout(() => show(isArmed(key)), Math.max(0, left) + 1);
  };
  if (isArmed(key)) {
    show(true);
    disarmLater();
  }
  el.addEventListener("click", () => {
    if (!isArmed(key)) {
      armedUntil.set(key, performance.now() + ARM_MS);
      show(true);
      disarmLater();
      return;
    }
    armedUntil.delete(key);
    show(false);
    act();
  });
  return el;
}

/**
 * Run `rebuild` (which replaces the children of `container`) and give the focus back to the
 * element with the same `data-focus` key, so a keyboard user is not thrown to the top of the
 * page by someone else's change.
 */
export function keepingFocus(container: Element, rebuild: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset["focus"] : undefined;
  rebuild();
  if (key === undefined || container.contains(document.activeElement)) return;
  container.querySelector<HTMLElement>(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}
