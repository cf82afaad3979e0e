/**
 * Everything the CLI prints passes through here: text from files (layer names, file names, a
 * library's message quoting them) may hold terminal control sequences that would set the title
 * or clear the screen, so every control character but newline, carriage return and tab is shown
 * escaped (`\x1b`).
 */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Makes a stream escape control characters in every string written to it. */
export function escapeControls(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => write(typeof chunk === 'string' ? printable(chunk) : chunk, ...rest)) as typeof stream.write;
}
