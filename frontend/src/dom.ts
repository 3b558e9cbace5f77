// Small DOM helpers. Text always goes in through textContent (never innerHTML), so whatever
// people type in the meeting is shown as typed and can never become markup or script.

type Child = Node | string | null | undefined | false;

export interface Props {
  class?: string;
  /** Set as attributes (values are strings; the browser never runs them as code here). */
  attrs?: Record<string, string>;
  text?: string;
}

/** Create an element: h("p", { class: "x", text: "hello" }) or h("ul", {}, li1, li2). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.attrs) {
    for (const [name, value] of Object.entries(props.attrs)) {
      // Event-handler attributes would be inline script; the CSP forbids them and so do we.
      if (name.toLowerCase().startsWith("on")) throw new Error(`refusing attribute ${name}`);
      el.setAttribute(name, value);
    }
  }
  if (props.text !== undefined) el.textContent = props.text;
  append(el, ...children);
  return el;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/** Replace every child of `parent`. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

/**
 * Make `parent`'s children exactly `children`, in order, moving only what is out of place. A
 * live list rebuilt with replaceChildren detaches every item and puts it back, and a detached
 * element loses the focus: the secretariat typing in one item's form would type into nothing
 * once another item arrived. Items left where they were keep focus, selection and caret.
 */
export function placeChildren(parent: Element, children: Element[]): void {
  const wanted = new Set<Node>(children);
  for (const node of [...parent.childNodes]) if (!wanted.has(node)) node.remove();
  let at: ChildNode | null = parent.firstChild;
  for (const child of children) {
    if (child === at) {
      at = at.nextSibling;
      continue;
    }
    parent.insertBefore(child, at);
  }
}

/** Typing in a field never triggers the page's keyboard shortcuts. */
export function isTyping(event: KeyboardEvent): boolean {
  const target = event.target;
  return (
    event.ctrlKey ||
    event.metaKey ||
    event.altKey ||
    (target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName)))
  );
}
