import { createCallControl, INVALID_NUMBER_DETAIL, type TelephonyDriver } from '../../../infra/telephony/driver';

function fakeDriver(): jest.Mocked<Required<TelephonyDriver>> {
  return {
    dial: jest.fn(async ({ serial }) => ({ ok: true, detail: 'Broadcast completed: result=0', command_id: 'parley-x', serial: serial ?? 'only' })),
    hangup: jest.fn(async ({ serial }) => ({ ok: true, detail: 'Broadcast completed: result=0', serial: serial ?? 'only' })),
    sendSms: jest.fn(),
  };
}

describe('createCallControl', () => {
  it('G56: refuses non-E.164 numbers without calling the driver', async () => {
    const driver = fakeDriver();
    const { dialNumber } = createCallControl(driver);
    for (const number of ['123; reboot', '112', '', '0170 1234567']) {
      await expect(dialNumber({ number })).resolves.toEqual({ ok: false, detail: INVALID_NUMBER_DETAIL });
    }
    await expect(dialNumber({ number: undefined as unknown as string })).resolves.toEqual({ ok: false, detail: INVALID_NUMBER_DETAIL });
    expect(driver.dial).not.toHaveBeenCalled();
  });

  it('passes the normalised number and the serial to the driver', async () => {
    const driver = fakeDriver();
    const { dialNumber } = createCallControl(driver);
    const result = await dialNumber({ number: '+49 (151) 1234-5678', serial: 'abc' });
    expect(driver.dial).toHaveBeenCalledWith({ number: '+4915112345678', serial: 'abc' });
    expect(result).toEqual({ ok: true, detail: 'Broadcast completed: result=0', command_id: 'parley-x', serial: 'abc' });
  });

  it('normalises national numbers with the default country code', async () => {
    const driver = fakeDriver();
    const { dialNumber } = createCallControl(driver, { defaultCountryCode: '49' });
    await dialNumber({ number: '0151 12345678' });
    expect(driver.dial).toHaveBeenCalledWith({ number: '+4915112345678', serial: undefined });
  });

  it('hangupCall delegates to the driver', async () => {
    const driver = fakeDriver();
    const { hangupCall } = createCallControl(driver);
    await expect(hangupCall({ serial: 'abc' })).resolves.toEqual({ ok: true, detail: 'Broadcast completed: result=0', serial: 'abc' });
    await expect(hangupCall()).resolves.toMatchObject({ ok: true, serial: 'only' });
    expect(driver.hangup).toHaveBeenCalledTimes(2);
  });
});
