/**
 * /v1 API keys (spec §2): `prl_live_<32 base62>` (or `prl_test_…`, simulated lines only). Only
 * the SHA-256 and an 8-character prefix are stored; logs show the prefix alone.
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from './db';
import { sha256Hex } from './missions-config';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
export const KEY_PATTERN = /^prl_(live|test)_[0-9A-Za-z]{32}$/;

function base62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 × 62: bytes above it are skipped so every character is equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}

/** The displayable prefix: the key's first 8 random characters. */
export const keyPrefix = (key: string) => key.slice(9, 17);

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Creates and stores a key; the plaintext is returned once and never stored. */
export async function createApiKey(db: Db, options: { name: string; admin?: boolean; test?: boolean; accountId?: string }): Promise<{ key: string; id: string; prefix: string }> {
  const key = `prl_${options.test ? 'test' : 'live'}_${base62(32)}`;
  const id = randomUUID();
  await db.apiKey.create({ data: { id, name: options.name, prefix: keyPrefix(key), hash: sha256Hex(key), scope: options.admin ? 'admin' : 'client', accountId: options.accountId ?? 'default' } });
  return { key, id, prefix: keyPrefix(key) };
}
