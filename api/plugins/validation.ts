/**
 * How route schemas validate. Bodies are checked as sent: no type coercion (a `session_id` of
 * `5` or `true` is a 400, never the string "5"), no removal of unknown fields (contract §1 (b):
 * requests the old gateway accepted stay accepted). Path params and query strings arrive as
 * text, so they are coerced to the declared types. Multipart bodies are streamed by the
 * handler (api/turn-form.ts) and bounded there; their schema only documents them.
 */
import Ajv from 'ajv';
import fp from 'fastify-plugin';

export const validationPlugin = fp(
  async (app) => {
    const strict = new Ajv({ coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: false, strict: false });
    const coercing = new Ajv({ coerceTypes: 'array', useDefaults: true, removeAdditional: false, allErrors: false, strict: false });
    app.setValidatorCompiler(({ schema, httpPart, contentType }) => {
      if (httpPart === 'body' && contentType === 'multipart/form-data') return () => true;
      return (httpPart === 'body' ? strict : coercing).compile(schema);
    });
  },
  { name: 'parley-validation', fastify: '5.x' },
);
