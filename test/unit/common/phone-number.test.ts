import { isE164, normalizeE164, normalizeNumber } from '../../../common/phone-number';

describe('normalizeNumber (contract §5 call policy)', () => {
  it('G19: strips spaces, dashes, parentheses and dots', () => {
    expect(normalizeNumber('+49 (170) 123-4567')).toBe('+491701234567');
    expect(normalizeNumber('+49.170.123.4567')).toBe('+491701234567');
    expect(normalizeNumber('+49 (170) 123-4567')).toBe(normalizeNumber('+491701234567'));
  });

  it('G19: a leading 00 becomes +', () => {
    expect(normalizeNumber('0049 170 1234567')).toBe('+491701234567');
    expect(normalizeNumber('00491701234567')).toBe(normalizeNumber('+491701234567'));
  });

  it('a leading single 0 takes the default country code only when one is set', () => {
    expect(normalizeNumber('0170 1234567', '49')).toBe('+491701234567');
    expect(normalizeNumber('0170 1234567', '+49')).toBe('+491701234567');
    expect(normalizeNumber('0170 1234567')).toBe('01701234567');
    expect(normalizeNumber('0170 1234567', '')).toBe('01701234567');
    expect(normalizeNumber('0049 170 1234567', '33')).toBe('+491701234567');
  });

  it('keeps other text as written and blanks as ""', () => {
    expect(normalizeNumber('123; reboot')).toBe('123;reboot');
    expect(normalizeNumber('112')).toBe('112');
    expect(normalizeNumber('')).toBe('');
    expect(normalizeNumber('   ')).toBe('');
    expect(normalizeNumber(undefined)).toBe('');
    expect(normalizeNumber(null)).toBe('');
  });
});

describe('isE164 / normalizeE164 (contract §6 dial rule)', () => {
  it('accepts E.164 after normalisation', () => {
    expect(isE164('+4915112345678')).toBe(true);
    expect(normalizeE164('+49 (170) 123-4567')).toBe('+491701234567');
    expect(normalizeE164('0049 170 1234567')).toBe('+491701234567');
    expect(normalizeE164('0170 1234567', '49')).toBe('+491701234567');
  });

  it('G56: refuses shell text, short codes and blanks', () => {
    for (const raw of ['123; reboot', '112', '', '+49170;reboot', '$(reboot)', '+4917012345678`id`']) {
      expect(normalizeE164(raw)).toBeNull();
    }
  });

  it('enforces the length and the non-zero country digit', () => {
    expect(isE164('+123456')).toBe(false);
    expect(isE164('+1234567')).toBe(true);
    expect(isE164('+123456789012345')).toBe(true);
    expect(isE164('+1234567890123456')).toBe(false);
    expect(isE164('+0491701234567')).toBe(false);
    expect(isE164('491701234567')).toBe(false);
    expect(isE164('+491701234567\n')).toBe(false);
    expect(isE164(4915112345678)).toBe(false);
    expect(normalizeE164('01701234567')).toBeNull();
  });
});
