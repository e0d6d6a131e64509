/**
 * The ADB driver against a real adb server (Debian's `adb` package) on a private port, with no
 * phone attached: the whole adbkit path runs, and device selection reports that no device is there.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Adb from '@devicefarmer/adbkit';
import { createAdbDriver, NO_DEVICE_DETAIL } from '../../../infra/telephony/adb-driver';
import { createCallControl } from '../../../infra/telephony/driver';
import { testPort } from '../../support/ports';
import { TMP_DIR } from '../../support/paths';

const ADB = '/usr/bin/adb';
const haveAdb = fs.existsSync(ADB);
if (!haveAdb) console.warn(`${ADB} not found (Debian package "adb"): skipping the real adb server test.`);

(haveAdb ? describe : describe.skip)('ADB driver against a real adb server', () => {
  let port = 0;
  // A private HOME keeps the server's key pair out of the user's ~/.android.
  const env = { ...process.env, HOME: path.join(TMP_DIR, 'adb-home') };
  const adb = (...args: string[]) => execFileSync(ADB, ['-P', String(port), ...args], { env, stdio: 'pipe', timeout: 20_000 });

  beforeAll(async () => {
    fs.mkdirSync(env.HOME, { recursive: true });
    port = await testPort();
    adb('start-server');
  });

  afterAll(() => {
    if (port) adb('kill-server');
  });

  it('dial with no phone attached → No ADB device connected', async () => {
    // `bin` too: adbkit restarts a missing server itself, and must use the same binary.
    const client = Adb.createClient({ host: '127.0.0.1', port, bin: ADB });
    await expect(client.listDevices()).resolves.toEqual([]);
    const { dialNumber, hangupCall } = createCallControl(createAdbDriver({ client }));

    await expect(dialNumber({ number: '+4915112345678' })).resolves.toEqual({ ok: false, detail: NO_DEVICE_DETAIL });
    await expect(hangupCall({})).resolves.toEqual({ ok: false, detail: NO_DEVICE_DETAIL });
  });

  it('a named serial that is not attached → the adb server error', async () => {
    const client = Adb.createClient({ host: '127.0.0.1', port, bin: ADB });
    const result = await createAdbDriver({ client }).dial({ number: '+4915112345678', serial: 'no-such-phone' });
    expect(result).toMatchObject({ ok: false, serial: 'no-such-phone' });
    expect(result.detail).toMatch(/no-such-phone.*not found/);
  });
});
