// CSI sequences (colours, cursor moves) and OSC titles; OpenAlgo colours its console output.
const ANSI = /\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/g;

/** Removes ANSI escape sequences so coloured console logs read like plain ones. */
export function stripAnsi(text: string): string {
  return text.includes('\x1b') ? text.replace(ANSI, '') : text;
}
