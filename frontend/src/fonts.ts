// The interface's fonts, bundled by Vite from @fontsource (no CDN: the CSP allows only this
// origin, and a meeting room's network is not to be relied on). Noto Sans for Latin text, in
// the weights styles.css uses; Noto Naskh Arabic for Arabic, whose diacritics it draws clearly.
// Only the Latin and Arabic subsets: each face's unicode-range keeps the browser from fetching
// a file no character on the page needs.

import "@fontsource/noto-sans/latin-400.css";
import "@fontsource/noto-sans/latin-400-italic.css";
import "@fontsource/noto-sans/latin-600.css";
import "@fontsource/noto-sans/latin-700.css";
import "@fontsource/noto-sans/latin-ext-400.css";
import "@fontsource/noto-sans/latin-ext-600.css";
import "@fontsource/noto-sans/latin-ext-700.css";
import "@fontsource/noto-naskh-arabic/arabic-400.css";
import "@fontsource/noto-naskh-arabic/arabic-600.css";
import "@fontsource/noto-naskh-arabic/arabic-700.css";
