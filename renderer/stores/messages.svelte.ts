import type { ErrorInfo } from '../../electron/contract.js';
import { on } from '../event-bus.js';

/** A failure as the error dialog shows it. */
export interface Problem {
  /** What failed, in a few words ("Could not open the photo"). */
  title: string;
  /** The engine's plain words: what, which file, what to do. */
  message: string;
  /** A library's own words, shown under "Details" only. */
  details: string | null;
}

/**
 * A library's text with each run of repeated lines said once with a count: a decoder can say
 * the same thing for every scanline it could not read.
 */
export function collapseRepeats(text: string): string {
  const out: string[] = [];
  let last: string | null = null;
  let count = 0;
  const flush = () => last !== null && out.push(count > 1 ? `${last} (×${count})` : last);
  for (const line of text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean)) {
    if (line === last) count++;
    else {
      flush();
      last = line;
      count = 1;
    }
  }
  flush();
  return out.join('\n');
}

/** The status line, the error dialog and short-lived notices (warnings that stop nothing). */
class Messages {
  status = $state<{ text: string; tone: 'info' | 'warning' | 'error' }>({ text: 'Ready', tone: 'info' });
  problem = $state<Problem | null>(null);
  notices = $state<{ id: number; text: string }[]>([]);
  private nextNotice = 1;

  say(text: string): void {
    this.status = { text, tone: 'info' };
  }

  /** Something to know that stops nothing: in the status line and as a notice that goes by itself. */
  warn(text: string): void {
    this.status = { text, tone: 'warning' };
    this.notify(text);
  }

  /** A notice only, leaving the status line as it is (e.g. beside a result's own message). */
  notify(text: string): void {
    const id = this.nextNotice++;
    this.notices = [...this.notices, { id, text }];
    setTimeout(() => this.dismiss(id), 10_000);
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /** A failure: the error dialog, and its message in the status line. */
  fail(title: string, error: ErrorInfo): void {
    // An internal failure's message is the library's text, not ours: it goes under Details.
    const internal = error.code === 'INTERNAL';
    const message = internal ? 'Something went wrong inside Ganvas. Your photo and project were not changed; please try again.' : error.message;
    const details = internal ? error.message : (error.details ?? null);
    this.problem = { title, message, details: details && collapseRepeats(details) };
    this.status = { text: message, tone: 'error' };
  }
}

export const messages = new Messages();

on('autosave-failed', (e) => messages.warn(`Autosave failed: ${e.error.message}`));
on('warning', (e) => messages.warn(e.message));
