#!/usr/bin/python3
"""Golden chat-template renderings from Python jinja2 (Debian's python3-jinja2 3.1), configured as
Hugging Face transformers configures it, for tests/processors/chat_template_conformance_test.cc.

transformers (src/transformers/utils/chat_template_utils.py, _compile_jinja_template and
render_jinja_template, 4.5x; tokenization_utils_base.py apply_chat_template):
  - ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
    extensions=[AssistantTracker, jinja2.ext.loopcontrols]); AssistantTracker adds `{% generation %}`,
    which renders its body unchanged when no assistant mask is asked for.
  - filters["tojson"] = json.dumps(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)
  - globals: raise_exception(message) raises jinja2.exceptions.TemplateError(message);
    strftime_now(format) = datetime.now().strftime(format) (fixed here to NOW).
  - render(messages=..., tools=..., documents=..., add_generation_prompt=..., **{**special_tokens, **kwargs})
    with tools/documents None when not given; continue_final_message appends
    "CONTINUE_FINAL_MESSAGE_TAG " to the final message's text and cuts the output there; refused
    together with add_generation_prompt.

Usage: chat_templates.py CORPUS_DIR FIXTURES_DIR OUT.json   (CORPUS_DIR may be missing: skipped)
"""
import copy
import json
import os
import sys
from datetime import datetime

import jinja2
from jinja2 import nodes
from jinja2.exceptions import TemplateError
from jinja2.ext import Extension
from jinja2.sandbox import ImmutableSandboxedEnvironment

NOW = "2024-07-26T10:00:00"
CONTINUE_TAG = "CONTINUE_FINAL_MESSAGE_TAG "
SPECIAL_KEYS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]


class RaisedByTemplate(TemplateError):
    """raise_exception(): the template's own message (distinguished from jinja2's errors)."""


class GenerationTag(Extension):
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return nodes.CallBlock(self.call_method("_render"), [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def compile_template(source):
    def raise_exception(message):
        raise RaisedByTemplate(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return datetime.fromisoformat(NOW).strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[GenerationTag, jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env.from_string(source)


def apply_chat_template(compiled, special_tokens, variables):
    v = copy.deepcopy(variables)
    continue_final = v.pop("continue_final_message", False)
    add_generation_prompt = v.pop("add_generation_prompt", False)
    if add_generation_prompt is None:
        add_generation_prompt = False
    messages = v.pop("messages")
    tools = v.pop("tools", None)
    documents = v.pop("documents", None)
    if continue_final and add_generation_prompt:
        raise ValueError("continue_final_message and add_generation_prompt are not compatible.")
    final_message = None
    if continue_final:
        final = messages[-1]["content"]
        if isinstance(final, (list, tuple)):
            for block in reversed(final):
                if "text" in block:
                    final_message = block["text"]
                    block["text"] = block["text"] + CONTINUE_TAG
                    break
            else:
                raise ValueError("continue_final_message is set but we could not find any text to continue")
        else:
            final_message = final
            messages[-1]["content"] = final + CONTINUE_TAG
    kwargs = {**special_tokens, **v}
    rendered = compiled.render(messages=messages, tools=tools, documents=documents,
                               add_generation_prompt=add_generation_prompt, **kwargs)
    if continue_final:
        if final_message.strip() not in rendered or CONTINUE_TAG.strip() not in rendered:
            raise ValueError("continue_final_message is set but the final message does not appear in the chat")
        loc = rendered.rindex(CONTINUE_TAG.strip())
        if rendered[loc:loc + len(CONTINUE_TAG)] == CONTINUE_TAG:
            rendered = rendered[:loc]
        else:
            rendered = rendered[:loc].rstrip()
    return rendered


def token_text(v):
    if isinstance(v, str):
        return v
    if isinstance(v, dict) and isinstance(v.get("content"), str):
        return v["content"]
    return None


def special_tokens_of(config):
    out = {}
    for k in SPECIAL_KEYS:
        t = token_text(config.get(k))
        if t is not None:
            out[k] = t
    if isinstance(config.get("additional_special_tokens"), list):
        out["additional_special_tokens"] = [t for t in map(token_text, config["additional_special_tokens"]) if t is not None]
    return out


def corpus_templates(corpus):
    """Every chat template in the corpus: chat_template.jinja, chat_template.json, tokenizer_config.json."""
    found = []
    for root, _, files in sorted(os.walk(corpus)):
        config = {}
        if "tokenizer_config.json" in files:
            with open(os.path.join(root, "tokenizer_config.json"), encoding="utf-8") as f:
                config = json.load(f)
        tokens = special_tokens_of(config)
        rel = os.path.relpath(root, corpus)
        sources = []
        if "chat_template.jinja" in files:
            with open(os.path.join(root, "chat_template.jinja"), encoding="utf-8") as f:
                sources.append(("chat_template.jinja", f.read()))
        if "chat_template.json" in files:
            with open(os.path.join(root, "chat_template.json"), encoding="utf-8") as f:
                sources.append(("chat_template.json", json.load(f)["chat_template"]))
        ct = config.get("chat_template")
        if isinstance(ct, str):
            sources.append(("tokenizer_config.json", ct))
        elif isinstance(ct, list):
            for entry in ct:
                sources.append(("tokenizer_config.json:" + entry["name"], entry["template"]))
        for where, source in sources:
            found.append({"id": "corpus/" + rel + "/" + where, "source": source, "special_tokens": tokens})
    return found


def fixture_templates(fixtures):
    with open(os.path.join(fixtures, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    out = []
    for entry in manifest:
        with open(os.path.join(fixtures, entry["file"]), encoding="utf-8") as f:
            out.append({"id": "fixtures/" + entry["file"], "source": f.read(), "special_tokens": entry["special_tokens"]})
    return out


def main():
    corpus, fixtures, out_path = sys.argv[1:4]
    with open(os.path.join(fixtures, "conversations.json"), encoding="utf-8") as f:
        conversations = json.load(f)
    templates = (corpus_templates(corpus) if os.path.isdir(corpus) else []) + fixture_templates(fixtures)
    # One entry per distinct (source, special tokens).
    unique, seen = [], set()
    for t in templates:
        key = (t["source"], json.dumps(t["special_tokens"], sort_keys=True))
        if key not in seen:
            seen.add(key)
            unique.append(t)
    results = []
    for ti, t in enumerate(unique):
        try:
            compiled = compile_template(t["source"])
        except TemplateError as e:
            results.append({"template": ti, "conversation": -1, "error": "syntax", "message": str(e)})
            continue
        for ci, conv in enumerate(conversations):
            r = {"template": ti, "conversation": ci}
            try:
                r["output"] = apply_chat_template(compiled, t["special_tokens"], conv["variables"])
            except RaisedByTemplate as e:
                r["error"], r["message"] = "raised", str(e)
            except Exception as e:  # jinja2's own errors, TypeError, ValueError from the harness
                r["error"], r["message"] = type(e).__name__, str(e)
            results.append(r)
    if os.environ.get("CHAT_TEMPLATE_BENCH_REPEATS"):  # bench/chat_template.sh: the same measure as the C++ side
        import time
        repeats, per_render = int(os.environ["CHAT_TEMPLATE_BENCH_REPEATS"]), []
        for t in unique:
            try:
                compiled = compile_template(t["source"])
            except TemplateError:
                continue
            times = []
            for _ in range(repeats):
                for conv in conversations:
                    start = time.perf_counter()
                    try:
                        apply_chat_template(compiled, t["special_tokens"], conv["variables"])
                    except Exception:
                        pass
                    times.append((time.perf_counter() - start) * 1e6)
            times.sort()
            per_render.append(times[len(times) // 2])
        per_render.sort()
        print(f"python jinja2: median render {per_render[len(per_render) // 2]:.1f} us (median over {len(per_render)} "
              f"templates of each one's median; slowest {per_render[-1]:.1f} us)")
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump({"now": NOW, "jinja2": jinja2.__version__, "templates": unique,
                   "conversations": conversations, "results": results}, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
