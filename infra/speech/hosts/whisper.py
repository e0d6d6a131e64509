"""Whisper tiny.en on CTranslate2 (int8 on the CPU), kept loaded.

Protocol: see ../engine-host.ts. Arguments: the directory the runtime wheels (ctranslate2, numpy)
were extracted into, the model directory (CTranslate2 format: model.bin, config.json,
vocabulary.txt), and the number of CPU threads.
{id, op:"transcribe", pcm (base64 PCM16 mono 16 kHz)} -> {id, ok, text}

The log-mel front end is Whisper's (80 bins, 25 ms Hann window, 10 ms hop, Slaney mel scale,
log10 clamped 8 decades under the peak, scaled by (x + 4) / 4), written with numpy alone.
"""
import base64
import json
import math
import sys

sys.path.insert(0, sys.argv[1])


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


RATE = 16000
N_FFT = 400
HOP = 160
N_MELS = 80
# Whisper reads up to 30 s at a time; longer audio is transcribed window after window.
WINDOW_S = 30
# The encoder is given the utterance plus this margin (at least MIN_S), not a full 30 s window:
# encoding cost follows the frames given, and a caller's line is a few seconds long (a 2 s line
# took 2.8 s in a 30 s window and 0.5–0.8 s in a 6–10 s one on a busy 2-core machine, with the
# same words). Windows much shorter than 8 s made Whisper repeat the line until max_length.
MARGIN_S = 3
MIN_S = 8
# Speech carries about three words a second; more tokens than this means the decoder is looping.
TOKENS_PER_S = 8
MIN_TOKENS = 16

try:
    import numpy as np
    import ctranslate2

    model = ctranslate2.models.Whisper(sys.argv[2], device="cpu", compute_type="int8", intra_threads=int(sys.argv[3]))
except Exception as err:  # a wheel does not fit this Python, or the model is missing
    send({"ready": False, "error": f"{type(err).__name__}: {err}"})
    sys.exit(1)


def hz_to_mel(f):
    f = np.asarray(f, dtype=np.float64)
    logstep = math.log(6.4) / 27.0
    return np.where(f >= 1000.0, 15.0 + np.log(np.maximum(f, 1e-10) / 1000.0) / logstep, f * 3.0 / 200.0)


def mel_to_hz(m):
    m = np.asarray(m, dtype=np.float64)
    logstep = math.log(6.4) / 27.0
    return np.where(m >= 15.0, 1000.0 * np.exp(logstep * (m - 15.0)), m * 200.0 / 3.0)


def mel_filters():
    """Triangular filters, evenly spaced on the Slaney mel scale from 0 to 8 kHz, area-normalised."""
    fft_hz = np.linspace(0, RATE / 2, 1 + N_FFT // 2)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(RATE / 2), N_MELS + 2))
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_hz[None, :]
    rising = -ramps[:-2] / widths[:-1, None]
    falling = ramps[2:] / widths[1:, None]
    filters = np.maximum(0, np.minimum(rising, falling))
    return (filters * (2.0 / (edges[2:] - edges[:-2]))[:, None]).astype(np.float32)


FILTERS = mel_filters()
HANN = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N_FFT) / N_FFT)).astype(np.float32)
PROMPT = [["<|startoftranscript|>", "<|notimestamps|>"]]


def log_mel(audio, seconds):
    samples = seconds * RATE
    audio = np.pad(audio, (0, max(0, samples - len(audio))))[:samples]
    padded = np.pad(audio, (N_FFT // 2, N_FFT // 2), mode="reflect")
    count = 1 + (len(padded) - N_FFT) // HOP
    frames = padded[np.arange(N_FFT)[None, :] + HOP * np.arange(count)[:, None]] * HANN
    power = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    spec = np.log10(np.maximum(FILTERS @ power[:-1].T, 1e-10))
    spec = np.maximum(spec, spec.max() - 8.0)
    return ((spec + 4.0) / 4.0).astype(np.float32)


def byte_decoder():
    """GPT-2's byte-level BPE alphabet, reversed: each vocabulary character to its byte."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, chars)}


BYTES = byte_decoder()


def detokenize(tokens):
    text = "".join(t for t in tokens if not t.startswith("<|"))
    return bytes(BYTES[c] for c in text if c in BYTES).decode("utf-8", errors="replace").strip()


def transcribe(audio):
    parts = []
    for start in range(0, max(1, len(audio)), WINDOW_S * RATE):
        chunk = audio[start:start + WINDOW_S * RATE]
        # Near-silence is not sent to the model: Whisper invents words for it.
        if len(chunk) == 0 or float(np.sqrt(np.mean(chunk ** 2))) < 1e-3:
            continue
        seconds = min(WINDOW_S, max(MIN_S, math.ceil(len(chunk) / RATE) + MARGIN_S))
        features = ctranslate2.StorageView.from_array(log_mel(chunk, seconds)[None])
        limit = min(224, MIN_TOKENS + TOKENS_PER_S * math.ceil(len(chunk) / RATE))
        result = model.generate(features, PROMPT, beam_size=1, max_length=limit, suppress_blank=True)
        parts.append(detokenize(result[0].sequences[0]))
    return " ".join(p for p in parts if p)


send({"ready": True, "python": ".".join(map(str, sys.version_info[:3])), "ctranslate2": ctranslate2.__version__})

for line in sys.stdin:
    req = {}
    try:
        req = json.loads(line)
        pcm = np.frombuffer(base64.b64decode(req["pcm"]), dtype=np.int16).astype(np.float32) / 32768.0
        send({"id": req.get("id"), "ok": True, "text": transcribe(pcm)})
    except Exception as err:
        send({"id": req.get("id"), "ok": False, "error": f"{type(err).__name__}: {err}", "retryable": False})
