/**
 * Data as Teams shows it: TextBlock and FactSet text, and message text, are markdown, so a device renamed
 * `[Verify](https://evil.example)` would become a live link. Backslash-escapes what markdown would act on
 * (CommonMark removes the backslash again on display) and folds line breaks, which could start a heading
 * or a list. Only for text that is rendered: input values and choice titles are shown as they are.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\\`*_[\]()<>~|{}!#]/g, '\\$&')
    // At the start of a line these open a quote, a list or a rule.
    .replace(/^(\s*)([+=-])/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2');
}
