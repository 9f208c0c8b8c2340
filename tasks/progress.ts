/**
 * A progress line on stderr: rewritten in place on a terminal, printed at most
 * every 10 seconds otherwise (for logs and CI).
 *
 * @module
 */

/** Writes log lines and a progress line to stderr. */
export interface ProgressWriter {
  log(line: string): void;
  update(line: string): void;
  clear(): void;
}

/** Creates a writer for the process's stderr. */
export function createProgressWriter(): ProgressWriter {
  const encoder = new TextEncoder();
  const terminal = Deno.stderr.isTerminal();
  let shown = false;
  let lastPrinted = 0;
  const write = (text: string) => Deno.stderr.writeSync(encoder.encode(text));
  const clear = () => {
    if (terminal && shown) write("\r\x1b[2K");
    shown = false;
  };
  return {
    log(line) {
      clear();
      write(line + "\n");
    },
    update(line) {
      if (terminal) {
        write("\r\x1b[2K" + line);
        shown = true;
      } else if (performance.now() - lastPrinted > 10_000) {
        write(line + "\n");
        lastPrinted = performance.now();
      }
    },
    clear,
  };
}
