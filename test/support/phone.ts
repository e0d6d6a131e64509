/** Posts /api/turn the way the Clawfinger app does: multipart/form-data with a turn.wav file. */
import type { FastifyInstance } from 'fastify';

export async function postTurn(app: FastifyInstance, fields: Record<string, string>, audio?: Buffer, headers: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (audio) form.append('audio', new Blob([new Uint8Array(audio)], { type: 'audio/wav' }), 'turn.wav');
  const request = new Request('http://localhost/api/turn', { method: 'POST', body: form });
  const payload = Buffer.from(await request.arrayBuffer());
  const res = await app.inject({
    method: 'POST',
    url: '/api/turn',
    headers: { 'content-type': request.headers.get('content-type')!, ...headers },
    payload,
  });
  return { status: res.statusCode, body: res.json() as Record<string, any> };
}
