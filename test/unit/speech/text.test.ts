import { cleanReply, EMPTY_REPLY } from '../../../infra/speech/text';

describe('cleanReply', () => {
  it('drops reasoning blocks, closed, unclosed or with the opening tag sent by the template', () => {
    expect(cleanReply('<think>The user wants the time.\nSay noon.</think>\nIt is noon.')).toBe('It is noon.');
    expect(cleanReply('Sure. <THINK>hidden</THINK> Done.')).toBe('Sure. Done.');
    expect(cleanReply('the template opened it</think>Hello there.')).toBe('Hello there.');
    expect(cleanReply('<think>ran out of tokens while thinking')).toBe(EMPTY_REPLY);
  });

  it('strips markdown but keeps the words', () => {
    const md = [
      '## Opening hours',
      '',
      'We are **open** from *nine* to _five_, ~~never~~ on __Sundays__.',
      '- Call [our desk](https://example.test/desk) first',
      '* or write to <https://example.test>',
      '> quoted advice',
      '---',
      '1. Numbers stay',
      '```js',
      'const x = `inline`;',
      '```',
      '![a map](map.png) Use `snake_case_names` as they are.',
    ].join('\n');
    expect(cleanReply(md)).toBe(
      'Opening hours We are open from nine to five, never on Sundays. Call our desk first or write to https://example.test ' +
        'quoted advice 1. Numbers stay const x = inline; a map Use snake_case_names as they are.',
    );
  });

  it('leaves arithmetic and plain text alone', () => {
    expect(cleanReply('2 * 3 = 6 and 4 * 5 = 20')).toBe('2 * 3 = 6 and 4 * 5 = 20');
    expect(cleanReply('Grüße aus Köln, 5 € bitte.')).toBe('Grüße aus Köln, 5 € bitte.');
  });

  it('replaces control characters and collapses whitespace', () => {
    expect(cleanReply('Hello\u0000 there\u0007\r\n\tfriend\u0085!')).toBe('Hello there friend !');
  });

  it('falls back when nothing speakable is left', () => {
    expect(cleanReply('')).toBe(EMPTY_REPLY);
    expect(cleanReply('  \n\u0001 ')).toBe(EMPTY_REPLY);
    expect(cleanReply('<think>only thoughts</think>')).toBe(EMPTY_REPLY);
    expect(EMPTY_REPLY).toBe('Got it. Please continue.');
  });
});
