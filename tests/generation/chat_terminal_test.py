#!/usr/bin/python3
"""`modelexport chat` in a real terminal: a pseudo-terminal is the child's controlling terminal and its
stdin and stdout (stderr, where chat writes its prompt and notes, is a pipe so the two can be told
apart), driven as a person would drive it.

  /usr/bin/python3 tests/generation/chat_terminal_test.py MODELEXPORT_CLI DECODER_MODELS_DIR

Checks, on the generated llama-like decoder (context window 256 tokens, SmolLM's chat template):
  1. streaming: the reply arrives in several pieces, the first well before the reply ends;
  2. Ctrl-C (the terminal's interrupt character, so the line discipline sends SIGINT) stops the
     current reply early, "(stopped)" is said, and the session goes on to the next message;
  3. the history is kept within the context window: with 200-token replies the second turn drops
     the oldest messages with a note;
  4. /reset clears the history: the turn after it needs no drop;
  5. end of input (the terminal's EOF character) exits with status 0.
Exit 77 (CTest skip) when the decoder models were not built.
"""
import fcntl
import os
import select
import subprocess
import sys
import termios
import time

cli, models = sys.argv[1], sys.argv[2]
model = os.path.join(models, "llama.onnx")
if not os.path.exists(model):
    print("decoder models not built: skipped")
    sys.exit(77)

master, slave = os.openpty()
attrs = termios.tcgetattr(slave)
# No echo, so what the terminal shows is chat's output alone (canonical input and signals stay on).
attrs[3] &= ~termios.ECHO
termios.tcsetattr(slave, termios.TCSANOW, attrs)
child = subprocess.Popen(
    [cli, "chat", model, "--max-new-tokens", "200", "--threads", "1"],
    stdin=slave, stdout=slave, stderr=subprocess.PIPE, start_new_session=True,
    preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
os.close(slave)
out, err = bytearray(), bytearray()
chunks = []  # (time, bytes) of each read of the terminal's output
failures = []


def pump(timeout):
    """Reads whatever the child wrote within `timeout` seconds."""
    r, _, _ = select.select([master, child.stderr], [], [], timeout)
    for f in r:
        if f == master:
            try:
                data = os.read(master, 65536)
            except OSError:
                data = b""
            if data:
                out.extend(data)
                chunks.append((time.monotonic(), bytes(data)))
        else:
            data = os.read(child.stderr.fileno(), 65536)
            err.extend(data)
    return bool(r)


def wait_for(pred, what, timeout=120):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        if child.poll() is not None and not pump(0.1):
            break
        pump(0.2)
    if pred():
        return True
    failures.append("timed out waiting for " + what)
    return False


def prompts():
    return err.count(b"> ")


def check(cond, message):
    if not cond:
        failures.append(message)


def say(line):
    os.write(master, line.encode() + b"\n")


# The first prompt, then a message; its reply streams.
wait_for(lambda: prompts() >= 1, "the first prompt")
say("Tell me a long story")
wait_for(lambda: prompts() >= 2, "the end of the first reply")
reply_pieces = [c for c in chunks if any(b > 0x20 for b in c[1])]
check(len(reply_pieces) >= 3, "the reply came in %d piece(s); streaming prints it as it is generated" % len(reply_pieces))
if len(reply_pieces) >= 2:
    check(reply_pieces[-1][0] - reply_pieces[0][0] > 0.05,
          "the first piece of the reply came only %.3f s before its end" % (reply_pieces[-1][0] - reply_pieces[0][0]))
first_reply_length = len(out)

# Ctrl-C in the middle of a reply: it stops, the session continues.
say("And another one")
before = len(out)
wait_for(lambda: any(b > 0x20 for b in out[before:]), "the second reply to start")
os.write(master, attrs[6][termios.VINTR])
wait_for(lambda: b"(stopped)" in err, "(stopped) after Ctrl-C", timeout=30)
wait_for(lambda: prompts() >= 3, "the prompt after Ctrl-C")
check(child.poll() is None, "chat exited on Ctrl-C during a reply (status %s)" % child.poll())
stopped_length = len(out) - before
check(stopped_length < first_reply_length * 0.8,
      "the interrupted reply (%d bytes) is not shorter than a full one (%d bytes)" % (stopped_length, first_reply_length))
check(b"oldest message was dropped" in err,
      "with 200-token replies in a 256-token window the second turn should drop the oldest messages; stderr: %r" % bytes(err))

# /reset: the history is empty again, so the next turn drops nothing.
say("/reset")
wait_for(lambda: b"(history cleared)" in err, "(history cleared)")
drops = err.count(b"oldest message was dropped")
say("Hello again")
wait_for(lambda: prompts() >= 5, "the reply after /reset")
check(err.count(b"oldest message was dropped") == drops, "a turn right after /reset dropped messages: %r" % bytes(err))

# End of input exits 0.
os.write(master, attrs[6][termios.VEOF])
try:
    status = child.wait(timeout=60)
except subprocess.TimeoutExpired:
    child.kill()
    status = "still running 60 s after end of input"
pump(0.1)
check(status == 0, "chat's exit status after end of input: %s; stderr: %r" % (status, bytes(err)))
os.close(master)

if failures:
    for f in failures:
        print("FAIL:", f)
    print("terminal output:", bytes(out)[:2000])
    print("stderr:", bytes(err)[:2000])
    sys.exit(1)
print("chat in a terminal: streaming, Ctrl-C, window, /reset and end of input all behave")
