// The agenda editor of the setup page: items in time order with add / edit / delete, and
// Move up / Move down (keyboard) and drag and drop, which swap an item with its neighbours:
// each pair keeps its span and each item its duration (the agenda is ordered by time).

import { h, replaceChildren } from "../dom";
import { type MessageKey, isolate, t, tBdi } from "../i18n";
import { autoDir } from "../render";
import type { AgendaItem, BreakoutGroup, Section } from "../types";
import { AGENDA_KINDS, type AgendaFields, setupApi } from "./api";
import { Form, type LiveStatus, button, describe, hhmm, input, select } from "./forms";

export interface AgendaContext {
  meetingId: number;
  status: LiveStatus;
  groups: () => BreakoutGroup[];
  sections: () => Section[];
}

export const KIND_KEY: Record<AgendaFields["kind"], MessageKey> = {
  opening: "agenda.kind.opening",
  session: "agenda.kind.session",
  breakout: "agenda.kind.breakout",
  break: "agenda.kind.break",
  brainstorm: "agenda.kind.brainstorm",
  closing: "agenda.kind.closing",
};

const minutes = (time: string): number => {
  const [hh, mm] = time.split(":").map(Number);
  return (hh ?? 0) * 60 + (mm ?? 0);
};
const clock = (total: number): string =>
  `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;

function itemForm(
  ctx: AgendaContext,
  item: AgendaItem | null,
  save: (fields: AgendaFields, changed: Partial<AgendaFields>) => Promise<void>,
): Form {
  const form = new Form({
    submit: item ? t("agendaEditor.save") : t("agendaEditor.add"),
    label: item ? t("agendaEditor.editLabel", { title: item.title }) : t("agendaEditor.addLabel"),
    className: "agenda-form",
    detailFields: [
      [/end before it starts/i, "end"],
      [/breakout group/i, "group_code"],
      [/section/i, "section_id"],
    ],
  });
  form.add("start", t("field.start"), input({ type: "time", required: "" })).value = item ? hhmm(item.start) : "";
  form.add("end", t("field.end"), input({ type: "time", required: "" })).value = item ? hhmm(item.end) : "";
  form.add("title", t("field.title"), input({ required: "", maxlength: "300" })).value = item?.title ?? "";
  const kinds = AGENDA_KINDS.map((kind): [string, string] => [kind, t(KIND_KEY[kind])]);
  form.add("kind", t("field.kind"), select(kinds, item?.kind ?? "session"));
  const groups = ctx.groups().map((g): [string, string] => [g.code, `${g.code} — ${g.name}`]);
  const none: [string, string] = ["", t("field.none")];
  form.add("group_code", t("field.group"), select([none, ...groups], item?.group_code ?? ""));
  const sections = ctx.sections().map((s): [string, string] => [String(s.id), s.title]);
  form.add("section_id", t("field.section"), select([none, ...sections], item?.section_id ? String(item.section_id) : ""));
  form.add("moderator", t("field.moderator"), input({ maxlength: "300" })).value = item?.moderator ?? "";
  form.add("description", t("field.description"), input({ maxlength: "300" })).value = item?.description ?? "";
  form.onEdit((): AgendaFields => ({
    start: form.value("start"),
    end: form.value("end"),
    title: form.value("title"),
    kind: form.value("kind") as AgendaFields["kind"],
    group_code: form.value("group_code") || null,
    section_id: form.value("section_id") ? Number(form.value("section_id")) : null,
    moderator: form.value("moderator"),
    description: form.value("description"),
  }), save);
  return form;
}

export function agendaEditor(ctx: AgendaContext): {
  el: HTMLElement;
  load: () => Promise<void>;
  items: () => AgendaItem[];
  refreshChoices: () => void;
} {
  let items: AgendaItem[] = [];
  const list = h("ol", { class: "agenda-editor-list" });
  const makeAdd = (): Form => {
    const form = itemForm(ctx, null, async (fields) => {
      const created = await setupApi.addItem(ctx.meetingId, fields);
      form.reset();
      await load();
      ctx.status.say(tBdi("agendaEditor.added", { title: created.title }));
    });
    return form;
  };
  let add = makeAdd();

  async function load(focus?: { id: number; control: string }): Promise<void> {
    items = await setupApi.agenda(ctx.meetingId);
    render();
    if (focus) {
      const target = list.querySelector<HTMLButtonElement>(`[data-item-id="${focus.id}"] .${focus.control}`);
      (target && !target.disabled ? target : list.querySelector<HTMLElement>(`[data-item-id="${focus.id}"] .agenda-edit`))?.focus();
    }
  }

  /** Move item `from` to place `to`, one neighbour at a time; PATCH the items whose times change. */
  async function moveItem(from: number, to: number, control: string): Promise<void> {
    const moving = items[from];
    if (!moving || to < 0 || to >= items.length || to === from) return;
    const slots = items.map((item) => ({ item, start: minutes(item.start), end: minutes(item.end) }));
    const step = to > from ? 1 : -1;
    for (let at = from; at !== to; at += step) {
      const low = Math.min(at, at + step);
      const a = slots[low];
      const b = slots[low + 1];
      if (!a || !b) break;
      // The pair keeps its span, each item its duration: b first, then a.
      const [start, end] = [a.start, b.end];
      const next = [
        { item: b.item, start, end: start + (b.end - b.start) },
        { item: a.item, start: end - (a.end - a.start), end },
      ] as const;
      slots[low] = next[0];
      slots[low + 1] = next[1];
    }
    for (const slot of slots) {
      const [start, end] = [clock(slot.start), clock(slot.end)];
      if (hhmm(slot.item.start) !== start || hhmm(slot.item.end) !== end) {
        await setupApi.updateItem(ctx.meetingId, slot.item.id, { start, end });
      }
    }
    await load({ id: moving.id, control });
    const said = { title: moving.title, way: to < from ? "up" : "down", place: to + 1 };
    ctx.status.say(tBdi("agendaEditor.moved", said));
  }

  function row(item: AgendaItem, index: number): HTMLElement {
    const li = h("li", { class: `agenda-editor-item kind-${item.kind}`, attrs: { "data-item-id": String(item.id) } });
    const up = button(t("action.moveUp"), "agenda-up");
    const down = button(t("action.moveDown"), "agenda-down");
    const edit = button(t("action.edit"), "agenda-edit");
    const remove = button(t("action.delete"), "agenda-delete button-danger");
    up.disabled = index === 0;
    down.disabled = index === items.length - 1;
    for (const control of [up, down, edit, remove]) {
      control.setAttribute("aria-label", t("action.on", { action: control.textContent ?? "", title: item.title }));
    }
    const move = (other: number, control: string) => (): void => {
      up.disabled = down.disabled = true;
      moveItem(index, other, control).catch((err: unknown) => {
        ctx.status.say(describe(err));
        void load();
      });
    };
    up.addEventListener("click", move(index - 1, "agenda-up"));
    down.addEventListener("click", move(index + 1, "agenda-down"));
    edit.addEventListener("click", () => {
      const form = itemForm(ctx, item, async (_fields, changed) => {
        const saved = await setupApi.updateItem(ctx.meetingId, item.id, changed);
        await load({ id: item.id, control: "agenda-edit" });
        ctx.status.say(tBdi("agendaEditor.saved", { title: saved.title }));
      });
      const cancel = button(t("action.cancel"));
      cancel.addEventListener("click", () => {
        render();
        list.querySelector<HTMLElement>(`[data-item-id="${item.id}"] .agenda-edit`)?.focus();
      });
      form.actions.append(cancel);
      replaceChildren(li, form.el);
      form.el.querySelector<HTMLElement>("input")?.focus();
    });
    remove.addEventListener("click", () => {
      if (!window.confirm(t("agendaEditor.deleteConfirm", { title: isolate(item.title) }))) return;
      remove.disabled = true;
      setupApi
        .deleteItem(ctx.meetingId, item.id)
        .then(async () => {
          await load();
          ctx.status.say(tBdi("agendaEditor.deleted", { title: item.title }));
        })
        .catch((err: unknown) => {
          remove.disabled = false;
          ctx.status.say(describe(err));
        });
    });
    // Drag and drop too (the buttons are the keyboard's way).
    li.draggable = true;
    li.addEventListener("dragstart", (event) => {
      event.dataTransfer?.setData("text/plain", String(index));
      li.classList.add("is-dragged");
    });
    li.addEventListener("dragend", () => li.classList.remove("is-dragged"));
    li.addEventListener("dragover", (event) => event.preventDefault());
    li.addEventListener("drop", (event) => {
      event.preventDefault();
      const from = Number(event.dataTransfer?.getData("text/plain"));
      if (!Number.isInteger(from) || from === index) return;
      moveItem(from, index, "agenda-edit").catch((err: unknown) => {
        ctx.status.say(describe(err));
        void load();
      });
    });
    const kind = t(KIND_KEY[item.kind]);
    const kindLine = item.group_code ? t("agendaEditor.kindGroup", { kind, group: item.group_code }) : kind;
    li.append(
      h("span", { class: "agenda-editor-time", text: `${hhmm(item.start)}–${hhmm(item.end)}` }),
      autoDir("span", item.title, "agenda-editor-title"),
      h("span", { class: "agenda-editor-kind muted", text: kindLine }),
      h("span", { class: "row-actions" }, up, down, edit, remove),
    );
    return li;
  }

  function render(): void {
    if (!items.length) {
      replaceChildren(list, h("li", { class: "muted", text: t("agendaEditor.empty") }));
      return;
    }
    replaceChildren(list, ...items.map(row));
  }

  const addBox = h("details", { class: "tool-box" }, h("summary", { text: t("agendaEditor.addLabel") }), add.el);
  const el = h(
    "section",
    { class: "setup-part setup-agenda", attrs: { "aria-labelledby": "setup-agenda-title" } },
    h("h2", { attrs: { id: "setup-agenda-title" }, text: t("agenda.label") }),
    list,
    addBox,
  );
  return {
    el,
    load: () => load(),
    items: () => items,
    /** Groups or sections changed: the add form's choices follow (an empty form only). */
    refreshChoices(): void {
      if (add.el.querySelector<HTMLInputElement>("input[name=title]")?.value) return;
      const next = makeAdd();
      addBox.replaceChild(next.el, add.el);
      add = next;
    },
  };
}
