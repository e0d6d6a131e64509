"""PocketSphinx 5 (the PyPI wheel, which bundles its US English model), kept loaded.

Protocol: see ../engine-host.ts. Arguments: the directory the wheel was extracted into, and the
decoder's search settings as a JSON object (beam widths).
{id, op:"transcribe", pcm (base64 PCM16 mono 16 kHz)} -> {id, ok, text}
"""
import base64
import json
import sys

sys.path.insert(0, sys.argv[1])


def send(msg):
    sys.stdout.write(json.dumps(msg) + "\n")
    sys.stdout.flush()


try:
    from pocketsphinx import Decoder

    search = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    decoder = Decoder(samprate=16000, loglevel="FATAL", **search)
except Exception as err:  # the wheel does not fit this Python, or its model is missing
    send({"ready": False, "error": f"{type(err).__name__}: {err}"})
    sys.exit(1)

send({"ready": True, "python": ".".join(map(str, sys.version_info[:3]))})

for line in sys.stdin:
    req = {}
    try:
        req = json.loads(line)
        pcm = base64.b64decode(req["pcm"])
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hyp = decoder.hyp()
        send({"id": req.get("id"), "ok": True, "text": hyp.hypstr if hyp else ""})
    except Exception as err:
        send({"id": req.get("id"), "ok": False, "error": f"{type(err).__name__}: {err}", "retryable": False})
