import { SingleBar } from 'cli-progress';
import { createSpinner } from 'nanospinner';

/**
 * What a person at a terminal sees while a job runs: a spinner, or a bar for a fan-out.
 * Drawn on stderr, and only when stdout and stderr are both terminals, so output piped
 * into a file or another program is exactly the result and nothing else.
 */
export class Feedback {
  private spinner?: ReturnType<typeof createSpinner>;
  private bar?: SingleBar;

  constructor(private readonly interactive: boolean) {}

  static forTerminal(): Feedback {
    // A terminal that reports no width (a bare pseudo-terminal) cannot be redrawn in place.
    return new Feedback(Boolean(process.stdout.isTTY && process.stderr.isTTY && process.stderr.columns > 0));
  }

  wait(text: string): void {
    if (!this.interactive) return;
    this.spinner = createSpinner(text, { stream: process.stderr }).start();
  }

  progress(done: number, total: number): void {
    if (!this.interactive) return;
    if (!this.bar) {
      this.spinner?.clear();
      this.spinner?.stop();
      this.spinner = undefined;
      this.bar = new SingleBar({
        stream: process.stderr,
        format: 'databases {bar} {value}/{total}',
        hideCursor: true,
        clearOnComplete: true,
      });
      this.bar.start(total, done);
    } else {
      this.bar.setTotal(total);
      this.bar.update(done);
    }
  }

  done(): void {
    this.spinner?.clear();
    this.spinner?.stop();
    this.bar?.stop();
    this.spinner = undefined;
    this.bar = undefined;
  }
}
