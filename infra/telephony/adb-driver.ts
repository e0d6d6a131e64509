/**
 * The ADB telephony driver: broadcasts call commands to the Clawfinger app over adbkit
 * (contract §7). The only variable in the shell command is a base64 payload, passed as one
 * element of an argument array; no caller text ever reaches a shell (contract §6).
 */
import { randomUUID } from 'node:crypto';
import type { DialInput, DialResult, HangupInput, TelephonyDriver, TelephonyResult } from './driver';
import { SMS_NOT_SUPPORTED } from './driver';

/** The part of adbkit's `Client` the driver uses (`Adb.createClient({host, port})` fits it). */
export interface AdbClientLike {
  listDevices(): PromiseLike<Array<{ id: string; type: string }>>;
  getDevice(serial: string): { shell(command: string[]): PromiseLike<ShellStream> };
}

/** The shell's stdout: adbkit hands back a socket (a Duplex). */
export type ShellStream = AsyncIterable<Buffer | string> & { destroy?(): unknown };

export interface AdbDriverOptions {
  client: AdbClientLike;
  /** `adb_serial`: the phone to use when a request names none. */
  serial?: string;
  /**
   * Bound on one ADB command. A broadcast returns in well under a second; a wedged device would
   * otherwise hold the activity until Temporal's timeout, whose retry could dial twice.
   */
  timeoutMs?: number;
}

export const NO_DEVICE_DETAIL = 'No ADB device connected';
export const MULTIPLE_DEVICES_DETAIL = 'multiple ADB devices; pass serial';

const CALL_COMMAND_ACTION = 'com.tracsystems.phonebridge.CALL_COMMAND';
const CALL_COMMAND_RECEIVER = 'com.tracsystems.phonebridge/.CallCommandReceiver';
const DEFAULT_TIMEOUT_MS = 15_000;

type CallCommandType = 'dial' | 'hangup';

/** The JSON the app decodes from `payload_b64` (contract §7); key order kept as documented. */
export interface CallCommand {
  id: string;
  type: CallCommandType;
  payload: Record<string, unknown>;
}

/** The `am broadcast` argument array for one command. */
export function callCommandArgs(command: CallCommand): string[] {
  const b64 = Buffer.from(JSON.stringify(command), 'utf8').toString('base64');
  return ['am', 'broadcast', '-a', CALL_COMMAND_ACTION, '-n', CALL_COMMAND_RECEIVER, '--es', 'payload_b64', b64];
}

/** Builds an ADB driver around an adbkit client. */
export function createAdbDriver(options: AdbDriverOptions): TelephonyDriver {
  const { client } = options;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  /** Contract §7 device order: the requested serial, then `adb_serial`, then the only ready device. */
  async function pickSerial(requested: string | undefined): Promise<{ serial: string } | { error: string }> {
    const chosen = requested || options.serial;
    if (chosen) return { serial: chosen };
    const ready = (await client.listDevices()).filter((d) => d.type === 'device');
    if (ready.length === 0) return { error: NO_DEVICE_DETAIL };
    if (ready.length > 1) return { error: MULTIPLE_DEVICES_DETAIL };
    return { serial: ready[0].id };
  }

  async function send(type: CallCommandType, payload: Record<string, unknown>, requested: string | undefined): Promise<DialResult> {
    let serial: string | undefined;
    let stream: ShellStream | undefined;
    const attempt = async (): Promise<DialResult> => {
      const picked = await pickSerial(requested);
      if ('error' in picked) return { ok: false, detail: picked.error };
      serial = picked.serial;
      const command: CallCommand = { id: `parley-${randomUUID()}`, type, payload };
      stream = await client.getDevice(serial).shell(callCommandArgs(command));
      const output = await readAll(stream);
      return { ok: output.includes('Broadcast completed'), detail: output.trim(), command_id: command.id, serial };
    };
    try {
      // On the deadline the open stream is closed too, so the adb connection is not leaked.
      return await withTimeout(attempt(), timeoutMs, () => stream?.destroy?.());
    } catch (err) {
      return { ok: false, detail: err instanceof Error ? err.message : String(err), ...(serial ? { serial } : {}) };
    }
  }

  return {
    async dial(input: DialInput): Promise<DialResult> {
      return send('dial', { number: input.number }, input.serial);
    },
    async hangup(input: HangupInput): Promise<TelephonyResult> {
      const { ok, detail, serial } = await send('hangup', {}, input.serial);
      return serial ? { ok, detail, serial } : { ok, detail };
    },
    async sendSms(): Promise<TelephonyResult> {
      return { ok: false, detail: SMS_NOT_SUPPORTED };
    },
  };
}

async function readAll(stream: ShellStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`ADB command timed out after ${ms} ms`));
    }, ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
