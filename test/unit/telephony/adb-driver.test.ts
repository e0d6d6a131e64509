import { Readable } from 'node:stream';
import {
  createAdbDriver,
  MULTIPLE_DEVICES_DETAIL,
  NO_DEVICE_DETAIL,
  type AdbClientLike,
} from '../../../infra/telephony/adb-driver';
import { createCallControl, INVALID_NUMBER_DETAIL, SMS_NOT_SUPPORTED } from '../../../infra/telephony/driver';

const BROADCAST_OK = 'Broadcasting: Intent { act=com.tracsystems.phonebridge.CALL_COMMAND flg=0x400000 }\nBroadcast completed: result=0\n';

/** A stand-in for adbkit's Client: a device list and a shell that records its argument arrays. */
function fakeAdb(devices: Array<{ id: string; type: string }>, output: string | Error = BROADCAST_OK) {
  const shells: Array<{ serial: string; args: string[] }> = [];
  const client = {
    listDevices: jest.fn(async () => devices),
    getDevice: jest.fn((serial: string) => ({
      shell: jest.fn(async (args: string[]) => {
        shells.push({ serial, args });
        if (output instanceof Error) throw output;
        // Two chunks, as a socket may deliver them.
        return Readable.from([Buffer.from(output.slice(0, 10)), Buffer.from(output.slice(10))]);
      }),
    })),
  } satisfies AdbClientLike;
  return { client, shells };
}

/** Decodes the payload_b64 extra of one recorded `am broadcast`. */
function decodePayload(args: string[]): unknown {
  expect(args.slice(0, -1)).toEqual([
    'am', 'broadcast',
    '-a', 'com.tracsystems.phonebridge.CALL_COMMAND',
    '-n', 'com.tracsystems.phonebridge/.CallCommandReceiver',
    '--es', 'payload_b64',
  ]);
  const b64 = args[args.length - 1];
  expect(b64).toMatch(/^[A-Za-z0-9+/]+=*$/);
  return JSON.parse(Buffer.from(b64, 'base64').toString('utf8'));
}

describe('ADB driver with a fake adbkit client', () => {
  it('G55: dial broadcasts {id, type:"dial", payload:{number}} as base64 and reports delivery', async () => {
    const { client, shells } = fakeAdb([{ id: 'R58M', type: 'device' }]);
    const { dialNumber } = createCallControl(createAdbDriver({ client }));

    const result = await dialNumber({ number: '+4915112345678' });

    expect(shells).toHaveLength(1);
    const payload = decodePayload(shells[0].args) as { id: string };
    expect(payload).toEqual({ id: expect.stringMatching(/^parley-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/), type: 'dial', payload: { number: '+4915112345678' } });
    expect(Buffer.from(shells[0].args[8], 'base64').toString('utf8')).toBe(
      `{"id":"${payload.id}","type":"dial","payload":{"number":"+4915112345678"}}`,
    );
    expect(result).toEqual({ ok: true, detail: BROADCAST_OK.trim(), command_id: payload.id, serial: 'R58M' });
  });

  it('hangup broadcasts {type:"hangup", payload:{}}', async () => {
    const { client, shells } = fakeAdb([{ id: 'R58M', type: 'device' }]);
    const { hangupCall } = createCallControl(createAdbDriver({ client }));

    await expect(hangupCall({})).resolves.toEqual({ ok: true, detail: BROADCAST_OK.trim(), serial: 'R58M' });
    expect(decodePayload(shells[0].args)).toEqual({ id: expect.stringMatching(/^parley-/), type: 'hangup', payload: {} });
  });

  it('every command gets a fresh id', async () => {
    const { client } = fakeAdb([{ id: 'R58M', type: 'device' }]);
    const driver = createAdbDriver({ client });
    const a = await driver.dial({ number: '+4915112345678' });
    const b = await driver.dial({ number: '+4915112345678' });
    expect(a.command_id).not.toBe(b.command_id);
  });

  it('G56: invalid numbers never reach adb', async () => {
    const { client } = fakeAdb([{ id: 'R58M', type: 'device' }]);
    const { dialNumber } = createCallControl(createAdbDriver({ client }));
    for (const number of ['123; reboot', '112', '']) {
      await expect(dialNumber({ number })).resolves.toEqual({ ok: false, detail: INVALID_NUMBER_DETAIL });
    }
    expect(client.listDevices).not.toHaveBeenCalled();
    expect(client.getDevice).not.toHaveBeenCalled();
  });

  it('G57: no ready device → "No ADB device connected"', async () => {
    for (const devices of [[], [{ id: 'A', type: 'offline' }, { id: 'B', type: 'unauthorized' }]]) {
      const { client } = fakeAdb(devices);
      const driver = createAdbDriver({ client });
      await expect(driver.dial({ number: '+4915112345678' })).resolves.toEqual({ ok: false, detail: NO_DEVICE_DETAIL });
      await expect(driver.hangup({})).resolves.toEqual({ ok: false, detail: NO_DEVICE_DETAIL });
      expect(client.getDevice).not.toHaveBeenCalled();
    }
  });

  it('G57: two devices and no serial → "multiple ADB devices; pass serial"', async () => {
    const { client } = fakeAdb([{ id: 'A', type: 'device' }, { id: 'B', type: 'device' }]);
    const driver = createAdbDriver({ client });
    await expect(driver.dial({ number: '+4915112345678' })).resolves.toEqual({ ok: false, detail: MULTIPLE_DEVICES_DETAIL });
    await expect(driver.hangup({})).resolves.toEqual({ ok: false, detail: MULTIPLE_DEVICES_DETAIL });
    expect(client.getDevice).not.toHaveBeenCalled();
  });

  it('G57: the only device in state "device" is picked among offline ones', async () => {
    const { client, shells } = fakeAdb([{ id: 'A', type: 'offline' }, { id: 'B', type: 'device' }]);
    await expect(createAdbDriver({ client }).dial({ number: '+4915112345678' })).resolves.toMatchObject({ ok: true, serial: 'B' });
    expect(shells.map((s) => s.serial)).toEqual(['B']);
  });

  it('G57: a requested serial picks one, ahead of adb_serial; adb_serial ahead of the list', async () => {
    const { client, shells } = fakeAdb([{ id: 'A', type: 'device' }, { id: 'B', type: 'device' }]);
    const driver = createAdbDriver({ client, serial: 'A' });

    await expect(driver.dial({ number: '+4915112345678', serial: 'B' })).resolves.toMatchObject({ ok: true, serial: 'B' });
    await expect(driver.dial({ number: '+4915112345678' })).resolves.toMatchObject({ ok: true, serial: 'A' });
    await expect(driver.hangup({ serial: 'B' })).resolves.toMatchObject({ ok: true, serial: 'B' });
    expect(shells.map((s) => s.serial)).toEqual(['B', 'A', 'B']);
    expect(client.listDevices).not.toHaveBeenCalled();
  });

  it('output without "Broadcast completed" is not delivered; detail carries the output', async () => {
    const { client } = fakeAdb([{ id: 'A', type: 'device' }], 'Error: Activity manager not running\n');
    const result = await createAdbDriver({ client }).dial({ number: '+4915112345678' });
    expect(result).toEqual({ ok: false, detail: 'Error: Activity manager not running', command_id: expect.stringMatching(/^parley-/), serial: 'A' });
  });

  it('adb errors come back as ok:false with the message', async () => {
    const { client } = fakeAdb([], new Error("device 'Z' not found"));
    await expect(createAdbDriver({ client }).dial({ number: '+4915112345678', serial: 'Z' })).resolves.toEqual({
      ok: false,
      detail: "device 'Z' not found",
      serial: 'Z',
    });

    client.listDevices.mockRejectedValueOnce(new Error('connect ECONNREFUSED 127.0.0.1:5037'));
    await expect(createAdbDriver({ client }).hangup({})).resolves.toEqual({ ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:5037' });
  });

  it('a wedged shell times out and its stream is closed', async () => {
    const stream = new Readable({ read() {} });
    const client: AdbClientLike = {
      listDevices: async () => [{ id: 'A', type: 'device' }],
      getDevice: () => ({ shell: async () => stream }),
    };
    const result = await createAdbDriver({ client, timeoutMs: 50 }).dial({ number: '+4915112345678' });
    expect(result).toEqual({ ok: false, detail: 'ADB command timed out after 50 ms', serial: 'A' });
    expect(stream.destroyed).toBe(true);
  });

  it('sendSms is reserved', async () => {
    const { client } = fakeAdb([{ id: 'A', type: 'device' }]);
    await expect(createAdbDriver({ client }).sendSms!({ number: '+4915112345678', text: 'hi' })).resolves.toEqual({
      ok: false,
      detail: SMS_NOT_SUPPORTED,
    });
    expect(client.getDevice).not.toHaveBeenCalled();
  });
});
