// The words statuspost writes when the author gives none. Two kinds: standard messages, which are
// fit to publish as they are (an incident's first "investigating" update, a resolution), and
// placeholders, which only say what to write: a post holding one is written as a draft and
// `statuspost publish` refuses it until every placeholder is replaced.

export const STANDARD_MESSAGES = {
  investigating: 'We are investigating reports of a problem and will post an update within 30 minutes.',
  resolved: 'This incident has been resolved. Everything is working normally again.',
  maintenanceStarted: 'The scheduled maintenance has started.',
  maintenanceCompleted: 'The scheduled maintenance is complete.',
  maintenanceCancelled: 'This maintenance has been cancelled; nothing will change.',
} as const;

export const PLACEHOLDERS = {
  affected: 'Describe what stops working during the window.',
  unaffected: 'Describe what keeps working.',
  maintenanceBody: 'What the work is, and why it is worth the interruption.',
} as const;

export interface PlaceholderFound {
  placeholder: string;
  line: number;
  column: number;
}

/** Every placeholder sentence left in a post's text, with its 1-based line and column. */
export function findPlaceholders(text: string): PlaceholderFound[] {
  const found: PlaceholderFound[] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  lines.forEach((line, i) => {
    for (const placeholder of Object.values(PLACEHOLDERS)) {
      let from = 0;
      for (let at = line.indexOf(placeholder, from); at !== -1; at = line.indexOf(placeholder, from)) {
        found.push({ placeholder, line: i + 1, column: at + 1 });
        from = at + placeholder.length;
      }
    }
  });
  return found.sort((a, b) => a.line - b.line || a.column - b.column);
}
