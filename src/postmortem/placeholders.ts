// The prompts `statuspost postmortem` writes for the author to replace. One list, so that whatever
// publishes a postmortem (`statuspost postmortem --publish`, `statuspost publish`) refuses a text
// that still holds any of them, and the site never shows a prompt as if it were the postmortem.

/** Each sentence appears verbatim in the skeleton; a published postmortem contains none of them. */
export const POSTMORTEM_PLACEHOLDERS = [
  'Describe what people saw and what stopped working, in words a reader outside the team understands.',
  'Explain the cause: what failed, why it failed then, and why it was not caught earlier.',
  'List what changes so that this does not happen again, or is found and fixed sooner; give each change an action item in the front matter.',
] as const;

/** The placeholder sentences still present in `text` (empty when none is left). */
export function placeholdersIn(text: string): string[] {
  // Compared with whitespace folded: an editor rewrapping the paragraph must not hide a prompt.
  const folded = text.replace(/\s+/g, ' ');
  return POSTMORTEM_PLACEHOLDERS.filter((sentence) => folded.includes(sentence));
}
