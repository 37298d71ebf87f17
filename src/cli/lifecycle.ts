/**
 * What a command opened and must close before the process ends: the store, Redis connections,
 * BullMQ queues and workers, listeners. Each is owned as it is opened; the entry point closes them
 * all when the command is done, whether it ended, failed or failed half-way through its start-up,
 * so a start-up that dies after opening Redis still closes Redis.
 *
 * Closing runs in the reverse order of opening, because what was opened later uses what was
 * opened earlier (a chat surface sends probes to the queue, whose jobs the workers run, against
 * the store): stopping the users first lets their last work finish on what is still open. Each
 * close has a time limit; one that fails or overruns is reported and the rest still close, so a
 * dead dependency cannot keep the others open.
 */

/** An ordinary close (a connection, a server with no work left) is a matter of milliseconds. */
export const DEFAULT_CLOSE_LIMIT_MS = 5_000;

export interface OwnOptions {
  /** How long the close may take before the next one starts anyway; DEFAULT_CLOSE_LIMIT_MS by default. */
  readonly limitMs?: number;
}

interface Owned {
  readonly name: string;
  readonly close: () => unknown;
  readonly limitMs: number;
}

export class Lifecycle {
  private readonly owned: Owned[] = [];
  private closing: Promise<void> | undefined;
  private report: (line: string) => void;

  /** `report` is told, in one line each, of a close that failed or overran. */
  constructor(report: (line: string) => void) {
    this.report = report;
  }

  /** Sends the reports elsewhere from now on (a daemon's structured log, once it has one). */
  reportTo(report: (line: string) => void): void {
    this.report = report;
  }

  /**
   * Registers a resource just opened, under a name for the reports. One opened after closing has
   * begun (a start-up step that finished after the failure that ended it) is closed as soon as
   * that closing is done, instead of being left open.
   */
  own(name: string, close: () => unknown, options: OwnOptions = {}): void {
    const owned = { name, close, limitMs: options.limitMs ?? DEFAULT_CLOSE_LIMIT_MS };
    if (this.closing) void this.closing.then(() => this.closeOne(owned));
    else this.owned.push(owned);
  }

  /** Closes everything owned, last opened first, each once; later calls wait for the same closing. */
  closeAll(): Promise<void> {
    this.closing ??= (async () => {
      for (const owned of this.owned.reverse()) await this.closeOne(owned);
      this.owned.length = 0;
    })();
    return this.closing;
  }

  private async closeOne({ name, close, limitMs }: Owned): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const overran = new Promise<'overran'>((resolve) => {
      // Unref'd: a process with nothing else left is not held open by the wait itself.
      timer = setTimeout(() => resolve('overran'), limitMs).unref();
    });
    try {
      const outcome = await Promise.race([Promise.resolve().then(close), overran]);
      if (outcome === 'overran')
        this.report(`closing ${name} took longer than ${limitMs / 1000} s; going on without waiting for it`);
    } catch (error) {
      this.report(`could not close ${name}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
    }
  }
}
