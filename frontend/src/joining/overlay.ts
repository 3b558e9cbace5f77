// The projector's open-link overlay: a large QR code and the short link, shown while the
// secretariat asks for it (and the link is active). The projector only reads what to show;
// it cannot issue or change links. The QR code is an SVG the server made (segno).

import "./joining.css";

import { h } from "../dom";
import { t } from "../i18n";
import { joiningApi } from "./api";

const POLL_MS = 2_000;

export function startOpenLinkOverlay(meetingId: number, parent: HTMLElement): void {
  const image = h("img", { class: "qr-overlay-code", attrs: { alt: t("overlay.qrAlt") } });
  const short = h("p", { class: "qr-overlay-link" });
  const overlay = h(
    "aside",
    { class: "qr-overlay", attrs: { "aria-label": t("overlay.label") } },
    h("p", { class: "qr-overlay-title", text: t("overlay.title") }),
    image,
    short,
  );
  overlay.hidden = true;
  parent.append(overlay);
  let shownUrl: string | null = null;

  const tick = (): void => {
    joiningApi
      .display(meetingId)
      .then((display) => {
        if (!display.shown || !display.url || !display.qr) {
          overlay.hidden = true;
          shownUrl = null;
          return;
        }
        if (display.url !== shownUrl) {
          image.src = display.qr;
          short.textContent = display.short ?? "";
          shownUrl = display.url;
        }
        overlay.hidden = false;
      })
      .catch(() => {
        // Offline: keep what is shown; the next poll decides.
      })
      .finally(() => setTimeout(tick, POLL_MS));
  };
  tick();
}
