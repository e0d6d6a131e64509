/**
 * The telephony driver seam: what Parley asks of a phone line (dial, hang up), whatever carries
 * it (ADB to the Clawfinger app, or the simulated phone). Every dial and hangup goes through
 * `createCallControl`, which validates input and delegates to the configured driver.
 */
import type { MachinePolicy } from '../../common/missions';
import { normalizeE164 } from '../../common/phone-number';

export interface TelephonyResult {
  ok: boolean;
  /** Driver output on success, the reason on failure (contract §7 "Result"). */
  detail: string;
  /** The device that received the command, when one was chosen. */
  serial?: string;
}

export interface DialInput {
  /** E.164 (the activity normalises and validates before a driver sees it). */
  number: string;
  serial?: string;
  /** E07, where the line can detect machines (the simulated phone; the app has no AMD). */
  onMachine?: MachinePolicy;
}

export interface DialResult extends TelephonyResult {
  /** Id of the command sent to the phone, for correlating logs. */
  command_id?: string;
}

export interface HangupInput {
  serial?: string;
  /** The session whose call to end, where a driver can tell calls apart (the simulated phone). */
  session_id?: string;
}

export interface SendSmsInput {
  number: string;
  text: string;
  serial?: string;
}

export interface TelephonyDriver {
  dial(input: DialInput): Promise<DialResult>;
  hangup(input: HangupInput): Promise<TelephonyResult>;
  /** Reserved: no line supports SMS yet; drivers answer `{ok:false, detail: SMS_NOT_SUPPORTED}`. */
  sendSms?(input: SendSmsInput): Promise<TelephonyResult>;
}

export const SMS_NOT_SUPPORTED = 'not supported by this line';
export const INVALID_NUMBER_DETAIL = 'invalid number: E.164 required';

export interface CallControlOptions {
  /** `default_country_code`: lets a national `0…` number normalise to E.164 (contract §5). */
  defaultCountryCode?: string;
}

/**
 * The one dial/hangup seam around a driver. Failures come back as `{ok:false}` rather than
 * thrown errors on purpose: a retried dial could place a second call.
 */
export function createCallControl(driver: TelephonyDriver, options: CallControlOptions = {}) {
  return {
    /** Dials an E.164 number (after normalisation); anything else is refused before the driver. */
    async dialNumber(input: DialInput): Promise<DialResult> {
      const number = normalizeE164(input.number, options.defaultCountryCode);
      if (!number) return { ok: false, detail: INVALID_NUMBER_DETAIL };
      return driver.dial({ number, serial: input.serial });
    },

    /** Hangs up the given session's call where the driver tells calls apart, else every call on the phone. */
    async hangupCall(input: HangupInput = {}): Promise<TelephonyResult> {
      return driver.hangup({ serial: input.serial, session_id: input.session_id });
    },
  };
}

export type CallControl = ReturnType<typeof createCallControl>;
