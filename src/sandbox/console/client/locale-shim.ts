/**
 * uPlot formats numbers with `Intl.NumberFormat(navigator.language)` when it loads; a browser
 * started under a POSIX locale reports a tag Intl refuses (`en-US@posix`) and loading uPlot would
 * throw. Called before uPlot loads, this falls back to `en-US` for such a tag.
 */
export function ensureUsableLocale(): void {
  try {
    new Intl.NumberFormat(navigator.language);
  } catch {
    Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
  }
}
