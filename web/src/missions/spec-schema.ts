/**
 * The declarative mission `spec` of the missions contract (§5a) as a JSON Schema, checked in the
 * browser while the operator types. The server's validation (the dry run) stays the authority:
 * it also checks what a schema cannot (time zones of numbers, class-specific rules).
 */
const duration = { type: 'string', pattern: '^P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$' };
const clock = { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$' };
const window = {
  type: 'object',
  properties: { days: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 7 } }, start: clock, end: clock },
  required: ['start', 'end'],
};
const isoTime = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$' };
const e164 = { type: 'string', pattern: '^\\+?[0-9 ()./-]{7,20}$' };

export const specSchema = {
  type: 'object',
  required: ['class', 'targets'],
  properties: {
    class: { enum: ['sweep', 'screening', 'negotiation', 'multi_round', 'gather_then_act'] },
    targets: {
      type: 'array',
      minItems: 1,
      maxItems: 500,
      items: {
        type: 'object',
        required: ['phone'],
        properties: {
          name: { type: 'string' },
          phone: e164,
          timezone: { type: 'string', minLength: 1 },
          kind: { enum: ['automated', 'service', 'professional'] },
        },
      },
    },
    assistant: {
      type: 'object',
      properties: { assistant_id: { type: 'string' }, instructions: { type: 'string' }, greeting: { type: 'string' }, voice: { type: 'string' }, model: { type: 'string' } },
    },
    schedule: {
      type: 'object',
      properties: {
        business_hours: { anyOf: [window, { const: false }] },
        avoid: { type: 'array', items: window },
        timezone: { type: 'string' },
        not_before: isoTime,
        not_after: isoTime,
      },
    },
    throttle: { type: 'object', properties: { batch_size: { type: 'integer', minimum: 1, maximum: 10 }, spacing: duration } },
    retry: {
      type: 'object',
      properties: {
        rules: { type: 'object' },
        max_attempts: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } },
      },
    },
    insights: { type: 'object', properties: { schema: { type: 'object' } } },
    rubric: {
      type: 'object',
      required: ['criteria'],
      properties: {
        criteria: { type: 'array', minItems: 1, items: { type: 'object', required: ['key', 'weight'], properties: { key: { type: 'string' }, weight: { type: 'number', minimum: 0 } } } },
        top_n: { type: 'integer', minimum: 1 },
      },
    },
    approvals: {
      type: 'array',
      items: {
        type: 'object',
        required: ['before'],
        properties: { before: { enum: ['round_2', 'act', 'each_call'] }, timeout: duration, on_timeout: { enum: ['fail', 'skip'] } },
      },
    },
    stop_when: { type: 'object', required: ['where'], properties: { where: { type: 'object' }, count: { type: 'integer', minimum: 1 } } },
    act: { type: 'object', required: ['type'], properties: { type: { enum: ['sms', 'call', 'webhook', 'none'] }, to: { type: 'string' }, text: { type: 'string' }, url: { type: 'string' } } },
  },
  allOf: [
    { if: { properties: { class: { const: 'screening' } } }, then: { required: ['rubric'] } },
    { if: { properties: { class: { const: 'gather_then_act' } } }, then: { required: ['stop_when'] } },
    { if: { properties: { class: { const: 'negotiation' } }, required: ['throttle'] }, then: { properties: { throttle: { properties: { batch_size: { const: 1 } } } } } },
  ],
} as const;

export const EXAMPLE_SPEC = {
  class: 'sweep',
  targets: [
    { name: 'Clear View', phone: '+13125550101', timezone: 'America/Chicago', kind: 'service' },
    { name: 'City Glass', phone: '+13125550102', timezone: 'America/Chicago', kind: 'automated' },
  ],
  assistant: { instructions: 'Ask for a quote to clean 12 windows this week.', greeting: '' },
  schedule: { business_hours: false },
  insights: { schema: { type: 'object', properties: { price_usd: { type: 'number' } } } },
};
