/**
 * Backpressure for a server-side WebSocket, shared by every socket Parley serves: a bounded send
 * buffer. Producers that can wait (a replay of the event log) wait for `ready()` before each
 * batch, so they go at the client's reading pace; a client whose buffer stays above the soft limit
 * for `stallMs`, or whose next message would cross the hard limit, is closed with 1008 and a
 * reason saying why. Without it a client that never reads made the API buffer everything it was
 * sent (300 × `subscribe since 0` grew the API by 400 MB, issue 14).
 */
import type { WebSocket } from 'ws';

export interface SendBufferLimits {
  /** Bytes queued for the client above which waiting producers pause. */
  softBytes: number;
  /** Bytes queued above which the client is closed: memory per socket never grows past this. */
  hardBytes: number;
  /** How long the buffer may stay above the soft limit before the client is closed. */
  stallMs: number;
}

export const DEFAULT_SEND_BUFFER: SendBufferLimits = { softBytes: 1 << 20, hardBytes: 8 << 20, stallMs: 15_000 };

/** Policy violation (RFC 6455 §7.4.1): the client does not read what it asked for. */
export const SLOW_CONSUMER_CLOSE_CODE = 1008;

/** How often a paused producer or the stall check looks at the buffer again. */
const CHECK_MS = 50;
/** After the close frame is queued, how long the client has to read its way to it. */
const CLOSE_GRACE_MS = 5_000;

export class PacedSocket {
  private overSince = 0;
  private stallTimer: NodeJS.Timeout | null = null;
  private closing = false;

  constructor(
    readonly ws: WebSocket,
    private readonly limits: SendBufferLimits = DEFAULT_SEND_BUFFER,
  ) {
    ws.once('close', () => this.stopStallCheck());
  }

  get open(): boolean {
    return !this.closing && this.ws.readyState === this.ws.OPEN;
  }

  /** Sends one text frame; false when the socket is closed or was just closed for not reading. */
  send(text: string): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount + Buffer.byteLength(text) > this.limits.hardBytes) {
      this.closeSlow(`send buffer over ${this.limits.hardBytes} bytes`);
      return false;
    }
    this.ws.send(text);
    if (this.ws.bufferedAmount > this.limits.softBytes) this.startStallCheck();
    return true;
  }

  /** Resolves true once the buffer is below the soft limit, false if the socket closes first. */
  async ready(): Promise<boolean> {
    while (this.open && this.ws.bufferedAmount > this.limits.softBytes) {
      this.startStallCheck();
      await new Promise((r) => setTimeout(r, CHECK_MS));
    }
    return this.open;
  }

  private startStallCheck(): void {
    if (this.stallTimer) return;
    this.overSince = Date.now();
    this.stallTimer = setInterval(() => {
      if (this.ws.bufferedAmount <= this.limits.softBytes) return this.stopStallCheck();
      if (Date.now() - this.overSince >= this.limits.stallMs) this.closeSlow(`not reading for ${Math.round(this.limits.stallMs / 1000)} s`);
    }, CHECK_MS);
    this.stallTimer.unref();
  }

  private stopStallCheck(): void {
    if (this.stallTimer) clearInterval(this.stallTimer);
    this.stallTimer = null;
  }

  private closeSlow(why: string): void {
    if (this.closing) return;
    this.closing = true;
    this.stopStallCheck();
    // The close frame waits behind what is queued: a client that reads again gets everything,
    // then the code. One that does not is cut off so its buffer is freed.
    this.ws.close(SLOW_CONSUMER_CLOSE_CODE, `slow consumer: ${why}`);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}
