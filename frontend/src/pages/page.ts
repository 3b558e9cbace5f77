// What every page module provides: it fills shell.main and redraws from each snapshot.

import type { Shell } from "../shell";
import type { Snapshot } from "../source";
import type { AgendaItem, Me } from "../types";

export interface PageContext {
  me: Me;
  shell: Shell;
  documentId: number;
}

export interface Page {
  /** Redraw from the latest snapshot; `current` is the agenda item running now. */
  update(snapshot: Snapshot, current: AgendaItem | null): void;
}

/** Only what changed is redrawn: keep a key per region and skip equal ones. */
export function changed(cache: Map<string, string>, region: string, value: unknown): boolean {
  const key = JSON.stringify(value);
  if (cache.get(region) === key) return false;
  cache.set(region, key);
  return true;
}
