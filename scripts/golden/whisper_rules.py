#!/usr/bin/python3
"""Whisper greedy decoding by Python transformers' rules, on the torch network of the generated
Whisper sets (scripts/fixtures/make_whisper_models.py rebuilds it from its seed), for the cases where
transformers.js 4.3.1 does not follow Python: language detection, the full timestamp rules
(monotonic timestamps, max_initial_timestamp_index), long-form sequential decoding, language names
and tokens for `language`, prompt_ids (with prompt_condition_type and condition_on_prev_tokens for
long-form), return_language.

Written out from transformers (not installed here: no PyPI), read at commit 000dccdb:
  - models/whisper/generation_whisper.py: _retrieve_init_tokens (forced_decoder_ids -> prompt,
    language / task tokens, <|notimestamps|>), detect_language (one decoder step on
    <|startoftranscript|>, argmax over lang_to_id), _retrieve_logit_processors (begin_suppress,
    suppress, timestamp processor, begin_index = prompt length), the seek loop with
    _retrieve_segment and the eos / padding removal of generate_with_fallback;
  - generation/logits_process.py (v4.4x): SuppressTokensLogitsProcessor,
    SuppressTokensAtBeginLogitsProcessor, WhisperTimeStampLogitsProcessor;
  - pipelines/automatic_speech_recognition.py: padded features up to 30 s, the whole recording's
    features (truncation=False) past it;
  - models/whisper/generation_whisper.py (same commit): _retrieve_init_tokens' language_to_id,
    _prepare_segments, _prepare_decoder_input_ids (prompt_ids before the decoder prompt; with
    condition_on_prev_tokens, <|startofprev|> or the prompt (all-segments) and the last
    max_target_positions // 2 - 1 segment tokens), the prompt segment dropped from the result, the
    short-form result with its decoder input, cut by _retrieve_segment as long-form windows are
    (generate runs one loop for both forms: with timestamps, the tokens after the last complete
    segment are dropped);
  - models/whisper/tokenization_whisper.py: LANGUAGES / TO_LANGUAGE_CODE (100 languages with yue, the
    aliases with mandarin), _strip_prompt, _decode_asr's timestamps, languages and token split
    (written out below without the text decode: the test decodes each chunk's tokens with our
    tokenizer, which is tested against Hugging Face tokenizers elsewhere). The prompt's ids come in
    the case (made with transformers.js 4.3.1's tokenizer by scripts/golden/whisper_prompt_ids.mjs, as
    get_prompt_ids makes them: <|startofprev|> then " " + the stripped text).
Features come from scripts/golden/audio_features.py (transformers' numpy path written out).

  whisper_rules.py CORPUS WHISPER_MODELS CASES.jsonl > OUT.jsonl   (WHISPER_MODELS: the fixture's
  folder, for tjs/NAME/tokenizer.json's special tokens)
CASES lines: {"model": "whisper-en" | "whisper-multi", "samples": F32 FILE, "options": {"language",
"task", "return_timestamps", "return_language", "prompt", "prompt_condition_type",
"condition_on_prev_tokens"}, "prompt_ids": [...] when options has a prompt}. Output lines: the case
plus {"tokens": the token ids _decode_asr is given (one list), "chunks": [{"language": name or null,
"timestamp": [start, end], "tokens": [...]}], "language": the detected language token id or null}.
"""
import json
import math
import os
import sys
import zlib

import numpy as np
import torch

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "fixtures"))
sys.path.insert(0, here)
import audio_features  # noqa: E402
import make_whisper_models as mwm  # noqa: E402

NEG_INF = -float("inf")

# tokenization_whisper.py's LANGUAGES (code -> name, in order) and TO_LANGUAGE_CODE's aliases.
LANGUAGES = dict(p.split(" ", 1) for p in (
    "en english|zh chinese|de german|es spanish|ru russian|ko korean|fr french|ja japanese|pt portuguese|"
    "tr turkish|pl polish|ca catalan|nl dutch|ar arabic|sv swedish|it italian|id indonesian|hi hindi|"
    "fi finnish|vi vietnamese|he hebrew|uk ukrainian|el greek|ms malay|cs czech|ro romanian|da danish|"
    "hu hungarian|ta tamil|no norwegian|th thai|ur urdu|hr croatian|bg bulgarian|lt lithuanian|la latin|"
    "mi maori|ml malayalam|cy welsh|sk slovak|te telugu|fa persian|lv latvian|bn bengali|sr serbian|"
    "az azerbaijani|sl slovenian|kn kannada|et estonian|mk macedonian|br breton|eu basque|is icelandic|"
    "hy armenian|ne nepali|mn mongolian|bs bosnian|kk kazakh|sq albanian|sw swahili|gl galician|"
    "mr marathi|pa punjabi|si sinhala|km khmer|sn shona|yo yoruba|so somali|af afrikaans|oc occitan|"
    "ka georgian|be belarusian|tg tajik|sd sindhi|gu gujarati|am amharic|yi yiddish|lo lao|uz uzbek|"
    "fo faroese|ht haitian creole|ps pashto|tk turkmen|nn nynorsk|mt maltese|sa sanskrit|"
    "lb luxembourgish|my myanmar|bo tibetan|tl tagalog|mg malagasy|as assamese|tt tatar|haw hawaiian|"
    "ln lingala|ha hausa|ba bashkir|jw javanese|su sundanese|yue cantonese").split("|"))
TO_LANGUAGE_CODE = {**{name: code for code, name in LANGUAGES.items()}, "burmese": "my", "valencian": "ca",
                    "flemish": "nl", "haitian": "ht", "letzeburgesch": "lb", "pushto": "ps", "panjabi": "pa",
                    "moldavian": "ro", "moldovan": "ro", "sinhalese": "si", "castilian": "es",
                    "mandarin": "zh"}


def language_to_id(language, lang_to_id):
    """generation_whisper.py _retrieve_init_tokens' language_to_id."""
    language = language.lower()
    if language in lang_to_id:
        token = language
    elif language in TO_LANGUAGE_CODE:
        token = f"<|{TO_LANGUAGE_CODE[language]}|>"
    elif language in TO_LANGUAGE_CODE.values():
        token = f"<|{language}|>"
    else:
        raise ValueError(f"Unsupported language: {language}")
    if token not in lang_to_id:
        raise ValueError(f"{token} is not supported by this specific model")
    return lang_to_id[token]


def timestamp_rules(scores, seq_all, begin_index, no_ts, eos, max_initial):
    """WhisperTimeStampLogitsProcessor.__call__ for one row (float32 torch scores, in place)."""
    tb = no_ts + 1
    scores[no_ts] = NEG_INF
    seq = seq_all[begin_index:]
    last_ts = len(seq) >= 1 and seq[-1] >= tb
    penult_ts = len(seq) < 2 or seq[-2] >= tb
    if last_ts:
        if penult_ts:
            scores[tb:] = NEG_INF
        else:
            scores[:eos] = NEG_INF
    timestamps = [t for t in seq if t >= tb]
    if timestamps:
        timestamp_last = timestamps[-1] if (last_ts and not penult_ts) else timestamps[-1] + 1
        scores[tb:timestamp_last] = NEG_INF
    if len(seq_all) == begin_index:
        scores[:tb] = NEG_INF
        if max_initial is not None:
            scores[tb + max_initial + 1:] = NEG_INF
    logprobs = torch.log_softmax(scores.float(), dim=-1)
    if logprobs[tb:].logsumexp(dim=-1) > logprobs[:tb].max():
        scores[:tb] = NEG_INF


class Model:
    def __init__(self, corpus, name):
        self.enc, self.dec, self.config, self.gen = mwm.build_torch(corpus, name)
        with open(os.path.join(corpus, mwm.SOURCES[name], "preprocessor_config.json")) as f:
            self.pre = json.load(f)

    def logits(self, hidden, ids):
        with torch.no_grad():
            mask = torch.ones(1, hidden.shape[1], dtype=torch.int64)
            out, _ = self.dec.run(torch.tensor([ids]), mask, hidden, None)
        return out[0, -1].clone()

    def encode(self, window):
        with torch.no_grad():
            return self.enc(torch.from_numpy(window[None]))

    def greedy(self, hidden, prompt, timestamps, scores=None):
        """Greedy generation; `scores` (a list) gets each step's processed scores (output_scores)."""
        g = self.gen
        eos = g["eos_token_id"]
        ids = list(prompt)
        while len(ids) < g["max_length"]:
            s = self.logits(hidden, ids)
            if len(ids) == len(prompt):
                s[g["begin_suppress_tokens"]] = NEG_INF
            s[g["suppress_tokens"]] = NEG_INF
            if timestamps:
                timestamp_rules(s, ids, len(prompt), g["no_timestamps_token_id"], eos,
                                g.get("max_initial_timestamp_index"))
            if scores is not None:
                scores.append(s.clone())
            t = int(torch.argmax(s))
            ids.append(t)
            if t == eos:
                break
        return ids[len(prompt):]

    def fallback(self, hidden, dec_in, init_size, timestamps, short_form, not_final, f):
        """generate_with_fallback with greedy passes only (temperatures all 0 or None): the sequence
        after eos / padding removal, whether it is skipped, and the last pass's measures."""
        g = self.gen
        eos, pad = g["eos_token_id"], g["pad_token_id"]
        temps = f.get("temperatures") or [None]
        assert all(t is None or t == 0 for t in temps), "the rules sample nothing: temperatures must be 0"
        cr_t, lp_t, ns_t = (f.get(k) for k in ("compression_ratio_threshold", "logprob_threshold",
                                                "no_speech_threshold"))
        ns_prob = None
        if ns_t is not None:  # WhisperNoSpeechDetection: raw logits at <|startoftranscript|>
            raw = self.logits(hidden, dec_in[:len(dec_in) - init_size + 1])
            ns_prob = float(raw.float().softmax(-1)[g["no_timestamps_token_id"] - 1])
        for k, temp in enumerate(temps):
            scores = []
            gen = self.greedy(hidden, dec_in, timestamps, scores)
            seq = (list(dec_in) if short_form else []) + gen
            if not_final and seq and seq[-1] == eos:
                seq = seq[:-1]
            if seq and seq[-1] == pad:
                seq = seq[:-seq.count(pad)]
            window = {"temperature": 0.0, "passes": k + 1, "compression_ratio": None, "avg_logprob": None,
                      "no_speech_prob": ns_prob, "skipped": False}
            needs = skip = False
            if cr_t is not None:  # _retrieve_compression_ratio
                width = int(math.log2(self.config["vocab_size"]) / 8) + 1
                raw_bytes = b"".join(t.to_bytes(width, "little") for t in seq)
                window["compression_ratio"] = len(raw_bytes) / len(zlib.compress(raw_bytes))
                needs = window["compression_ratio"] > cr_t
            if lp_t is not None:  # _retrieve_avg_logprobs, temperature 0: no rescale
                sc = torch.stack(scores)
                tokens = torch.tensor(seq, dtype=torch.long)
                if sc.shape[0] > tokens.shape[0]:
                    sc = sc[:tokens.shape[0]]
                else:
                    tokens = tokens[-sc.shape[0]:]
                logprobs = torch.nn.functional.log_softmax(sc.float(), dim=-1).to(sc.dtype)
                total = sum((logprobs[i][tokens[i]] * (tokens[i] != eos)) for i in range(logprobs.shape[0]))
                length = (tokens != eos).sum(-1)
                window["avg_logprob"] = float(total / (length + 1))  # -inf / nan are printed as strings
                needs = needs or window["avg_logprob"] < lp_t
            if ns_t is not None and window["avg_logprob"] < lp_t and ns_prob > ns_t:
                needs, skip = False, True
            window["skipped"] = skip
            if not needs or k == len(temps) - 1:
                return seq, skip, window

    def init_tokens(self, window, language, task, timestamps):
        g = self.gen
        forced = g.get("forced_decoder_ids")
        if task or language:
            forced = None
        init = [g["decoder_start_token_id"]]
        if forced and forced[0][0] == 1:
            i = 1
            while forced and forced[0][0] == i:
                init.append(forced[0][1])
                forced = forced[1:]
                i += 1
        undefined = len(init) <= 1 or init[1] is None
        lang = None
        detected = None
        if language:
            lang = language_to_id(language, g["lang_to_id"])
        elif "lang_to_id" in g and undefined:
            s = self.logits(self.encode(window), [g["decoder_start_token_id"]])
            mask = torch.ones_like(s, dtype=torch.bool)
            mask[list(g["lang_to_id"].values())] = False
            s[mask] = NEG_INF
            lang = detected = int(torch.argmax(s))
        if lang is not None:
            if len(init) > 1:
                init[1] = lang
            else:
                init.append(lang)
        task_ids = list(g.get("task_to_id", {}).values())
        if task:
            tid = g["task_to_id"][task]
            init.append(tid)
            init = [tid if t in task_ids else t for t in init]
        elif language and task_ids and not any(t in task_ids for t in init):
            init.append(g["task_to_id"]["transcribe"])
        nts = g["no_timestamps_token_id"]
        if not timestamps and init[-1] != nts:
            init.append(nts)
        elif timestamps and init[-1] == nts:
            init = init[:-1]
        return [t for t in init if t is not None], detected

    def transcribe(self, samples, language, task, timestamps, prompt_ids=None, condition=False,
                   condition_type="first-segment", fallback=None):
        g = self.gen
        fallback = fallback or {}
        self.windows = []
        n_samples = self.pre.get("chunk_length", 30) * self.pre.get("sampling_rate", 16000)
        long_form = len(samples) > n_samples
        feats = audio_features.whisper(self.pre, samples, "numpy", pad=not long_form)["features"][0]
        frames = feats.shape[1]
        seg_frames = 2 * self.config["max_source_positions"]

        def window(seek):
            w = np.zeros((feats.shape[0], seg_frames), dtype=np.float32)
            n = min(seg_frames, frames - seek)
            w[:, :n] = feats[:, seek:seek + n]
            return w

        timestamps = timestamps or long_form
        init, detected = self.init_tokens(window(0), language, task, timestamps)
        pad = g["pad_token_id"]
        prompt_ids = list(prompt_ids) if prompt_ids else None
        if not long_form:
            # _postprocess_outputs keeps the whole short-form sequence (decoder input included).
            dec_in = (prompt_ids or []) + init
            seq, skip, stats = self.fallback(self.encode(window(0)), dec_in, len(init), timestamps, True, False,
                                             fallback)
            self.windows.append(stats)
            if skip:
                return [], detected
            # generate's loop runs short-form too: _retrieve_segment keeps the complete segments only.
            return seq[:retrieve_segment(seq, g["no_timestamps_token_id"] + 1, seg_frames)[0]], detected
        tb = g["no_timestamps_token_id"] + 1
        cut_off = self.config["max_target_positions"] // 2 - 1
        prev_sot = g.get("prev_sot_token_id")
        prev_start = prev_sot if prev_sot is not None else g["suppress_tokens"][-2]
        # _prepare_segments: first-segment starts the segment list with the prompt.
        segments = []
        if prompt_ids is not None and condition_type == "first-segment":
            segments.append(prompt_ids[1:] if prompt_ids[0] == prev_sot else prompt_ids)
        seek = 0
        while seek < frames:
            num = min(frames - seek, seg_frames)
            # _prepare_decoder_input_ids (temperature 0: conditioning on whenever asked).
            if condition and len(segments) > 0:
                prev_ids = prompt_ids if (prompt_ids is not None and condition_type == "all-segments") \
                    else [prev_start]
                dec_in = prev_ids + [t for seg in segments for t in seg][-cut_off:] + init
            elif prompt_ids is not None:
                dec_in = prompt_ids + init
            else:
                dec_in = init
            seq, skip, stats = self.fallback(self.encode(window(seek)), dec_in, len(init), True, False,
                                             seek + seg_frames < frames, fallback)
            self.windows.append(stats)
            if skip:
                seek += num
                continue
            keep, offset = retrieve_segment(seq, tb, num)
            if offset == 0:  # see whisper_speech_recognition.cc: Python would not advance
                offset = num
            segments.append(seq[:keep])
            seek += offset
        if prompt_ids is not None and condition_type == "first-segment":
            segments = segments[1:]
        return [t for seg in segments for t in seg], detected


def retrieve_segment(seq, tb, num):
    """_retrieve_segment: (tokens the segments keep, frames the window's start moves)."""
    is_ts = [t >= tb for t in seq]
    single = is_ts[-2:] == [False, True]
    slices = [i + 1 for i in range(len(seq) - 1) if is_ts[i] and is_ts[i + 1]]
    keep, offset = len(seq), num
    if slices and not single:
        keep = slices[-1] + 1
        offset = (seq[keep - 1] - tb) * 2
    return keep, offset


def decode_asr_chunks(tokens, tb, special, names, prompt_token, sot, return_timestamps,
                      precision=0.02, segment_size=1500):
    """_decode_asr for one output without strides: chunk languages, timestamps and token lists.
    `special`: all_special_ids; `names`: special id -> its token text (<|fr|>)."""
    if tokens and tokens[0] == prompt_token:  # _strip_prompt
        tokens = tokens[tokens.index(sot):] if sot in tokens else []
    last_language = None

    def new_chunk():
        return {"language": last_language, "timestamp": [None, None], "tokens": []}

    chunks, cur = [], new_chunk()
    current = []
    previous = []
    cur_max = prev_len = penult = 0.0
    for i, t in enumerate(tokens):
        if t in special:
            language = LANGUAGES.get(names[t][2:-2])
            if language is not None:
                if last_language and language != last_language and not return_timestamps:
                    previous.append(current)
                    cur["tokens"] = [x for p in previous for x in p]
                    chunks.append(cur)
                    previous, current = [], []
                    cur = new_chunk()
                cur["language"] = language
                last_language = language
            continue
        if t >= tb:
            ts = float((t - tb) * precision)
            if ts < cur_max:
                single = i >= 2 and not (tokens[i - 1] >= tb and tokens[i - 2] >= tb)
                if single:
                    prev_len += precision * segment_size
                else:
                    cur_max = penult
                    prev_len += penult
            penult = cur_max
            cur_max = ts
            time = round((t - tb) * precision + 0.0 + prev_len, 2)
            if cur["timestamp"][0] is None:
                cur["timestamp"][0] = time
            elif time != cur["timestamp"][0]:
                cur["timestamp"][1] = time
                previous.append(current)
                cur["tokens"] = [x for p in previous for x in p]  # one output: no overlap to merge
                chunks.append(cur)
                previous, current = [], []
                cur = new_chunk()
        else:
            current.append(t)
    if current:
        previous.append(current)
    if previous:
        cur["tokens"] = [x for p in previous for x in p]
        chunks.append(cur)
    return chunks


def main():
    corpus, models_dir, cases_file = sys.argv[1:4]
    models = {}
    for line in open(cases_file):
        if not line.strip():
            continue
        case = json.loads(line)
        name = case["model"]
        if name not in models:
            models[name] = Model(corpus, name)
        m = models[name]
        samples = np.fromfile(case["samples"], dtype=np.float32)
        o = case.get("options", {})
        timestamps = o.get("return_timestamps", False)
        tokens, detected = m.transcribe(samples, o.get("language"), o.get("task"), timestamps,
                                        case.get("prompt_ids"), o.get("condition_on_prev_tokens", False),
                                        o.get("prompt_condition_type") or "first-segment", o)
        with open(os.path.join(models_dir, "tjs", name, "tokenizer.json"), encoding="utf-8") as f:
            added = [t for t in json.load(f)["added_tokens"] if t["special"]]
        special = {t["id"] for t in added}
        names = {t["id"]: t["content"] for t in added}
        ids = {t["content"]: t["id"] for t in added}
        tb = m.gen["no_timestamps_token_id"] + 1
        windows = [{k: (v if not isinstance(v, float) or math.isfinite(v) else repr(v)) for k, v in w.items()}
                   for w in m.windows]
        case.update({"tokens": tokens, "language": detected, "windows": windows,
                     "chunks": decode_asr_chunks(tokens, tb, special, names, ids.get("<|startofprev|>"),
                                                 ids.get("<|startoftranscript|>"), timestamps)})
        print(json.dumps(case))


if __name__ == "__main__":
    main()
