import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type Docker from 'dockerode';
import { startProcess, type ContainerProcess } from './process';

/** How long a server may take to exit after its stdin closes before it is killed. */
const CLOSE_GRACE_MS = 2_000;

export interface DockerExecTransportOptions {
  docker: Docker;
  container: string;
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** The run's user and home, looked up when the transport starts. */
  resolveUser: () => Promise<{ user: string; home: string }>;
}

/**
 * An MCP stdio transport to a server started inside the run's container with an attached `docker exec`:
 * newline-delimited JSON-RPC over the exec's stdin and (demultiplexed) stdout, as the SDK's StdioClientTransport
 * does over a child process's pipes.
 */
export class DockerExecTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private readonly readBuffer = new ReadBuffer();
  private process: ContainerProcess | undefined;
  private closed = false;
  private stderrTail = '';

  constructor(private readonly options: DockerExecTransportOptions) {}

  async start(): Promise<void> {
    if (this.process) throw new Error('DockerExecTransport already started');
    const { user, home } = await this.options.resolveUser();
    const proc = await startProcess(
      this.options.docker,
      this.options.container,
      { argv: this.options.argv, user, cwd: this.options.cwd, env: { HOME: home, ...this.options.env } },
      { stdin: true },
    );
    this.process = proc;
    proc.stdout.on('data', (chunk: Buffer) => {
      this.readBuffer.append(chunk);
      for (;;) {
        let message: JSONRPCMessage | null;
        try {
          message = this.readBuffer.readMessage();
        } catch (err) {
          this.onerror?.(err as Error);
          continue;
        }
        if (message === null) break;
        this.onmessage?.(message);
      }
    });
    // Kept for the error a server that dies at start-up deserves (missing binary, bad arguments).
    proc.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-2000);
    });
    void proc.ended.then(() => {
      if (!this.closed) {
        const detail = this.stderrTail.trim();
        this.onerror?.(new Error(`MCP server ${this.options.argv[0]} exited${detail ? `: ${detail}` : ''}`));
      }
      this.finish();
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const proc = this.process;
    if (!proc || this.closed) throw new Error('DockerExecTransport is not connected');
    await proc.write(serializeMessage(message));
  }

  async close(): Promise<void> {
    const proc = this.process;
    if (!proc || this.closed) {
      this.finish();
      return;
    }
    this.closed = true;
    // A well-behaved stdio server exits at end of input; one that does not is killed with what it started.
    proc.endInput();
    const timer = setTimeout(() => void proc.kill(), CLOSE_GRACE_MS);
    await proc.ended;
    clearTimeout(timer);
    this.finish();
  }

  private finishedOnce = false;
  private finish(): void {
    if (this.finishedOnce) return;
    this.finishedOnce = true;
    this.closed = true;
    this.onclose?.();
  }
}
