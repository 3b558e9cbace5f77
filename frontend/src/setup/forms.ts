// Forms of the setup pages: a label on every control, the server's error next to the field it
// names (a 422 detail "time_zone: …" goes under the time zone), a busy state while saving, the
// typed values kept on failure, and success said in the page's live region.

import { ApiError } from "../api";
import { h } from "../dom";
import { intlLocale, lang, t } from "../i18n";

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

let counter = 0;
export function uid(prefix: string): string {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** The page's polite live region: "Saved.", "3 people created." */
export class LiveStatus {
  readonly el = h("p", { class: "setup-status", attrs: { role: "status", "aria-live": "polite" } });

  /** Text, or nodes with the names and titles in it isolated (tBdi). */
  say(text: string | Node[]): void {
    // Cleared first so the same message twice is announced twice.
    this.el.textContent = "";
    // A timer, not requestAnimationFrame, which a background tab never runs.
    setTimeout(() => {
      if (typeof text === "string") this.el.textContent = text;
      else this.el.replaceChildren(...text);
    }, 30);
  }
}

export function describe(err: unknown): string {
  if (err instanceof ApiError) return err.detail;
  return err instanceof Error ? err.message : String(err);
}

export function input(attrs: Record<string, string> = {}): HTMLInputElement {
  return h("input", { class: "input", attrs: { type: "text", dir: "auto", ...attrs } });
}

export function select(options: readonly (string | [string, string])[], value = ""): HTMLSelectElement {
  const el = h("select", { class: "input" });
  for (const option of options) {
    const [v, label] = typeof option === "string" ? [option, option] : option;
    // `selected` as an attribute too, so that a form reset comes back to this value.
    el.append(h("option", { attrs: v === value ? { value: v, selected: "" } : { value: v }, text: label }));
  }
  el.value = value;
  return el;
}

export function button(text: string, className = "", type: "button" | "submit" = "button"): HTMLButtonElement {
  return h("button", { class: `button ${className}`.trim(), attrs: { type }, text });
}

/** Split a 422 detail ("title: too long; time_zone: Value error, 'X' is not …") by field. */
export function fieldErrors(detail: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const part of detail.split("; ")) {
    const match = /^([a-z_]+)(?:\.[\w.]+)?: (.*)$/s.exec(part.trim());
    if (!match) continue;
    const name = match[1] ?? "";
    const text = (match[2] ?? "").replace(/^Value error, /, "");
    found.set(name, found.has(name) ? `${found.get(name) ?? ""}; ${text}` : text);
  }
  return found;
}

/** The fields of `now` that differ from `opened` (what the form showed when it opened): an
 * edit sends only those, so saving one field does not put back the old values of the others,
 * which another organiser may have changed meanwhile. */
export function changedFields<T extends object>(opened: T, now: T): Partial<T> {
  const changed: Partial<T> = {};
  for (const key of Object.keys(now) as (keyof T)[]) {
    if (JSON.stringify(now[key]) !== JSON.stringify(opened[key])) changed[key] = now[key];
  }
  return changed;
}

export interface FormOptions {
  /** The submit button's label, and while saving. */
  submit: string;
  busy?: string;
  /** Error codes that belong to one field (e.g. bad_time_zone → time_zone). */
  codeFields?: Record<string, string>;
  /** Details without a field prefix that still name one: [pattern, field]. */
  detailFields?: [RegExp, string][];
  className?: string;
  label?: string;
}

/** One form: fields by API name, their error slots, the submit button and its busy state. */
export class Form {
  readonly el: HTMLFormElement;
  readonly submitButton: HTMLButtonElement;
  readonly actions: HTMLElement;
  private readonly fields = new Map<string, { control: Control; error: HTMLElement }>();
  private readonly formError = h("p", { class: "form-error", attrs: { role: "alert" } });
  private readonly body = h("div", { class: "form-fields" });

  constructor(private readonly options: FormOptions) {
    this.el = h("form", {
      class: `setup-form ${options.className ?? ""}`.trim(),
      attrs: options.label ? { "aria-label": options.label, novalidate: "" } : { novalidate: "" },
    });
    this.submitButton = button(options.submit, "button-primary", "submit");
    this.actions = h("div", { class: "form-actions" }, this.submitButton);
    this.formError.hidden = true;
    this.el.append(this.body, this.formError, this.actions);
  }

  /** A labelled control; `name` is the API's field name its errors carry. */
  add<C extends Control>(name: string, label: string, control: C, hint?: string): C {
    const id = control.id || uid(`f-${name}`);
    control.id = id;
    control.name = name;
    const error = h("p", { class: "field-error", attrs: { id: `${id}-error` } });
    error.hidden = true;
    const described = [`${id}-error`];
    const row = h("div", { class: `field field-${name}` }, h("label", { attrs: { for: id }, text: label }), control);
    if (hint) {
      row.append(h("p", { class: "field-hint", attrs: { id: `${id}-hint` }, text: hint }));
      described.push(`${id}-hint`);
    }
    row.append(error);
    control.setAttribute("aria-describedby", described.join(" "));
    this.fields.set(name, { control, error });
    this.body.append(row);
    return control;
  }

  value(name: string): string {
    return this.fields.get(name)?.control.value.trim() ?? "";
  }

  /** Show `value` in field `name` (after a save: what the server now holds). */
  set(name: string, value: string): void {
    const control = this.fields.get(name)?.control;
    if (control) control.value = value;
  }

  clearErrors(): void {
    this.formError.hidden = true;
    this.formError.textContent = "";
    for (const { control, error } of this.fields.values()) {
      error.hidden = true;
      error.textContent = "";
      control.removeAttribute("aria-invalid");
    }
  }

  /** Put the server's error next to its field (else above the buttons); focus the first. */
  showError(err: unknown): void {
    const detail = describe(err);
    // The server's (English) text names the fields; other languages say which field is wrong.
    const server = err instanceof ApiError ? err.serverDetail : detail;
    const byField = err instanceof ApiError && err.status === 422 ? fieldErrors(server) : new Map<string, string>();
    if (lang() !== "en") for (const name of byField.keys()) byField.set(name, t("error.fieldInvalid"));
    const coded = err instanceof ApiError ? this.options.codeFields?.[err.code] : undefined;
    if (coded && !byField.size) byField.set(coded, detail);
    const named = this.options.detailFields?.find(([pattern]) => pattern.test(server))?.[1];
    if (named && !byField.size) byField.set(named, detail);
    let first: Control | null = null;
    const rest: string[] = [];
    for (const [name, text] of byField) {
      const slot = this.fields.get(name);
      if (!slot) {
        rest.push(`${name}: ${text}`);
        continue;
      }
      slot.error.textContent = text;
      slot.error.hidden = false;
      slot.control.setAttribute("aria-invalid", "true");
      first ??= slot.control;
    }
    if (!byField.size) rest.push(detail);
    if (rest.length) {
      this.formError.textContent = rest.join("; ");
      this.formError.hidden = false;
    }
    (first ?? this.submitButton).focus();
  }

  /** An edit form: on submit, `save(fields, changed)`, `changed` the fields of `read()` that
   * differ from what it gave when the form opened (changedFields). */
  onEdit<T extends object>(read: () => T, save: (fields: T, changed: Partial<T>) => Promise<void>): void {
    const opened = read();
    this.onSubmit(() => {
      const fields = read();
      return save(fields, changedFields(opened, fields));
    });
  }

  /** Run `save` on submit: busy meanwhile; on failure the errors, and every value stays. */
  onSubmit(save: () => Promise<void>): void {
    this.el.addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.submitButton.disabled) return;
      void this.run(save);
    });
  }

  async run(save: () => Promise<void>): Promise<void> {
    this.clearErrors();
    this.submitButton.disabled = true;
    this.el.setAttribute("aria-busy", "true");
    this.submitButton.textContent = this.options.busy ?? t("form.saving");
    try {
      await save();
    } catch (err) {
      this.showError(err);
    } finally {
      this.submitButton.disabled = false;
      this.el.removeAttribute("aria-busy");
      this.submitButton.textContent = this.options.submit;
    }
  }

  reset(): void {
    this.el.reset();
    this.clearErrors();
  }
}

/** Every IANA zone the browser knows, for the time zone field's suggestions. */
export function zoneList(): HTMLDataListElement {
  const list = h("datalist", { attrs: { id: "time-zones" } });
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  for (const zone of intl.supportedValuesOf?.("timeZone") ?? []) {
    list.append(h("option", { attrs: { value: zone } }));
  }
  return list;
}

/** The meeting's fields (create form and the setup page's details). */
export function meetingFields(form: Form, values: Partial<{ title: string; date: string; venue: string; time_zone: string; languages: string[] }> = {}): void {
  form.add("title", t("field.title"), input({ required: "", maxlength: "300" })).defaultValue = values.title ?? "";
  form.add("date", t("field.date"), input({ type: "date", required: "" })).defaultValue = values.date ?? "";
  form.add("venue", t("field.venue"), input({ maxlength: "300" })).defaultValue = values.venue ?? "";
  const zone = form.add(
    "time_zone",
    t("field.timeZone"),
    input({ list: "time-zones", autocomplete: "off", spellcheck: "false", dir: "ltr" }),
    t("field.timeZoneHint"),
  );
  zone.defaultValue = values.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  form.add(
    "languages",
    t("field.languages"),
    input({ dir: "ltr", spellcheck: "false" }),
    t("field.languagesHint"),
  ).defaultValue = (values.languages ?? ["ar", "en", "fr"]).join(", ");
}

export function readMeetingFields(form: Form): { title: string; date: string; venue: string; time_zone: string; languages: string[] } {
  return {
    title: form.value("title"),
    date: form.value("date"),
    venue: form.value("venue"),
    time_zone: form.value("time_zone"),
    languages: form
      .value("languages")
      .split(/[\s,]+/)
      .filter((tag) => tag !== ""),
  };
}

/** "12 Feb 2024" for a YYYY-MM-DD meeting day (a calendar date: no zone shift). */
export function formatDay(day: string): string {
  const [y, mo, d] = day.split("-").map(Number);
  const date = new Date(Date.UTC(y ?? 1970, (mo ?? 1) - 1, d ?? 1));
  const locale = intlLocale();
  return date.toLocaleDateString(locale, { timeZone: "UTC", day: "numeric", month: "short", year: "numeric", weekday: "short" });
}

/** "HH:MM" of an API time "HH:MM:SS". */
export const hhmm = (time: string): string => time.slice(0, 5);
