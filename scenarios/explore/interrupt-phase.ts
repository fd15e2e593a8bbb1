/**
 * What `probe --explore` or `--replay` was doing, for the line an interrupt prints
 * (`interrupted by SIGINT while shrinking a failure (4 shrinking runs)`), read from the progress lines
 * runExplore and runReplay give (`sequence 3: pass, …`, `shrinking: 4 tried, …`, `replay 2 of 10: …`).
 */
export class InterruptPhase {
  private text: string;

  constructor(mode: 'explore' | 'replay') {
    this.text = mode === 'explore' ? "while learning the deployment's timing" : 'before the first replay finished';
  }

  /** Takes in one progress line. */
  follow(line: string): void {
    const sequence = /^sequence (\d+): (FAIL)?/.exec(line);
    // The first failure starts shrinking at once.
    const shrinking = sequence?.[2] ? [line, '0'] : /^shrinking: (\d+) tried/.exec(line);
    const replay = /^replay (\d+) of (\d+):/.exec(line);
    if (line.startsWith('timing:')) this.text = 'while searching (0 sequences judged)';
    else if (shrinking) this.text = `while shrinking a failure (${shrinking[1]} shrinking run${shrinking[1] === '1' ? '' : 's'})`;
    else if (sequence) this.text = `while searching (${sequence[1]} sequence${sequence[1] === '1' ? '' : 's'} judged)`;
    else if (replay) this.text = `after ${replay[1]} of ${replay[2]} replays`;
  }

  toString(): string {
    return this.text;
  }
}
