/** What a `parley` subcommand is, and the I/O it gets (its own module so subcommands need not import cli/parley.ts). */
/** Where a subcommand writes and what it reads; tests pass their own. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
  /** Registers a Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

export interface Subcommand {
  summary: string;
  usage: string;
  /** Resolves to the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}
