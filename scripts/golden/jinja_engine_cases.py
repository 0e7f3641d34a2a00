#!/usr/bin/python3
"""Table of engine cases (one construct, filter, test or method each) for tests/processors/templates_test.cc."""
# (template, variables): expected outputs come from Python jinja2 configured as transformers does.
CASES = [
 # text, whitespace control, comments, raw
 ("a {{ 'b' }} c", {}),
 ("  {% if true %}\n  x\n  {% endif %}\n  y", {}),
 ("a  {%- if true -%}  b  {%- endif -%}  c", {}),
 ("{{ 1 }}  \n  {{- 2 }}", {}),
 ("x {# comment #}\ny\n  {# c2 #}\nz", {}),
 ("{% raw %}{{ not evaluated }}{% endraw %}", {}),
 ("line\n", {}),
 ("a\r\nb\rc", {}),
 ("  {%+ if true %}x{% endif %}", {}),
 ("{% if true +%}\nx{% endif %}", {}),
 # literals and operators
 ("{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1.5 * 2 }}", {}),
 ("{{ 'a' ~ 1 ~ none ~ true }}", {}),
 ("{{ 'ab' * 3 }} {{ [1] + [2, 3] }}", {}),
 ("{{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.0 }} {{ 3.0e-5 }} {{ 1e16 }} {{ 123456789012345.6 }}", {}),
 ("{{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 2 < 3 }} {{ 'b' >= 'a' }} {{ [1, 2] == [1, 2] }}", {}),
 ("{{ 'x' in 'xyz' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 3 not in [1] }}", {}),
 ("{{ true and 'yes' }} {{ false or 'fallback' }} {{ not none }} {{ 0 or [] }}", {}),
 ("{{ 'yes' if x else 'no' }} {{ 'only' if false }}|", {"x": 1}),
 ("{{ (1, 2) }} {{ [1, 'a', none, true, 1.5] }} {{ {'a': 1, 'b': [2]} }}", {}),
 ("{{ \"it's\" }} {{ ['it\\'s', \"q\\\"\"] }} {{ 'tab\\tnl\\n' }}", {}),
 ("{{ '%s and %d' % ('x', 3) }} {{ '%05.2f' % 3.14159 }} {{ '%(a)s' % {'a': 'A'} }}", {}),
 # subscripts and slices
 ("{{ s[0] }}{{ s[-1] }} {{ s[1:3] }} {{ s[::-1] }} {{ s[::2] }} {{ s[-2:] }} {{ l[1:] }} {{ l[:-1] }} {{ l[::-1] }}", {"s": "héllo", "l": [1, 2, 3]}),
 ("{{ d.a }} {{ d['a'] }} {{ d.missing }}|{{ l.0 }}", {"d": {"a": 1}, "l": [5]}),
 # control flow
 ("{% for x in [1, 2, 3] %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }};{% endfor %}", {}),
 ("{% for x in ['a', 'b', 'c'] %}{{ loop.previtem | default('-') }}{{ x }}{{ loop.nextitem | default('-') }} {% endfor %}", {}),
 ("{% for x in [] %}x{% else %}empty{% endfor %}", {}),
 ("{% for x in range(10) if x is odd %}{{ x }}{% endfor %}", {}),
 ("{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x == 5 %}{% break %}{% endif %}{{ x }}{% endfor %}", {}),
 ("{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}}),
 ("{% for c in 'ab' %}{{ c }}.{% endfor %}{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}", {}),
 ("{% for x in [1, 2] %}{{ loop.cycle('odd', 'even') }}{% endfor %}", {}),
 ("{% set x = 1 %}{% for i in [1, 2] %}{% set x = x + i %}{{ x }}{% endfor %}{{ x }}", {}),
 ("{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", {}),
 ("{% if a %}A{% elif b %}B{% else %}C{% endif %}", {"b": True}),
 ("{% set a, b = [1, 2] %}{{ b }}{{ a }}", {}),
 ("{% set block %}inner {{ 1 + 1 }}{% endset %}[{{ block }}]", {}),
 ("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('A') }} {{ greet('B', punct='?') }} {{ greet(name='C') }}", {}),
 ("{% macro f() %}{{ varargs }}{{ kwargs }}{% endmacro %}{{ f(1, 2, k=3) }}", {}),
 ("{% macro f(n) %}{% if n > 0 %}{{ n }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(3) }}", {}),
 ("{% macro wrap() %}<{{ caller() }}>{% endmacro %}{% call wrap() %}body{% endcall %}", {}),
 ("{% filter upper %}shout {{ 'this' }}{% endfilter %}", {}),
 ("{% generation %}gen {{ 1 }}{% endgeneration %}", {}),
 # undefined
 ("[{{ missing }}] {{ missing is defined }} {{ missing is undefined }} {{ missing | default('d') }} {{ none | default('d') }} {{ '' | default('d', true) }}", {}),
 ("{{ missing | length }} {% for x in missing %}x{% endfor %}{{ missing == missing }} {{ not missing }}", {}),
 # tests
 ("{{ 1 is number }} {{ true is number }} {{ 1 is integer }} {{ true is integer }} {{ 1.0 is float }} {{ 's' is string }} {{ {} is mapping }} {{ [] is iterable }} {{ 's' is sequence }} {{ none is none }} {{ true is boolean }} {{ false is false }} {{ true is true }}", {}),
 ("{{ 4 is divisibleby 2 }} {{ 3 is even }} {{ 3 is odd }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 1 is eq 1 }} {{ 1 is equalto 2 }} {{ 2 is gt 1 }} {{ 1 is lt 2 }} {{ 1 is ge 1 }} {{ 1 is le 0 }} {{ 1 is ne 2 }} {{ 2 is in [2] }} {{ range is callable }}", {}),
 ("{{ 'x' is not string }} {{ not 1 is defined }}", {}),
 # filters
 ("{{ [3, 1, 2] | sort }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'c'] | sort(case_sensitive=true) }} {{ [1, 2] | sort(reverse=true) }}", {}),
 ("{{ l | sort(attribute='n') | map(attribute='n') | list }}", {"l": [{"n": 2}, {"n": 1}]}),
 ("{{ [1, 2, 3] | join(', ') }} {{ l | join('-', attribute='n') }} {{ ['a', 1] | join }}", {"l": [{"n": 2}, {"n": 1}]}),
 ("{{ [1, 2, 3] | first }} {{ [1, 2, 3] | last }} {{ [1, 2, 3] | length }} {{ 'abc' | count }} {{ [1, 2] | sum }} {{ [3, 1] | max }} {{ [3, 1] | min }} {{ ['B', 'a'] | max }}", {}),
 ("{{ ' x ' | trim }}|{{ 'xxhixx' | trim('x') }} {{ 'hello world' | title }} {{ 'hELLO' | capitalize }} {{ 'a' | upper }} {{ 'A' | lower }} {{ 'aXa' | replace('a', 'b') }} {{ 'abc' | reverse }} {{ [1, 2] | reverse | list }}", {}),
 ("{{ d | tojson }} {{ d | tojson(indent=2) }} {{ 'é\"\\n' | tojson }} {{ [1.0, none, true] | tojson }} {{ d | tojson(sort_keys=true) }} {{ d | tojson(separators=(',', ':')) }}", {"d": {"b": [1, {"c": "ü"}], "a": "<&>'"}}),
 ("{{ d | items | list }} {{ d | dictsort }} {{ d | dictsort(by='value', reverse=true) }}", {"d": {"b": 1, "a": 2}}),
 ("{{ '3' | int + 1 }} {{ '3.7' | int }} {{ 'x' | int }} {{ 'x' | int(5) }} {{ '2.5' | float }} {{ 3 | float }} {{ 3.14159 | round(2) }} {{ 2.5 | round }} {{ 2.1 | round(method='ceil') }}", {}),
 ("{{ 42 | string }} {{ [1] | string }} {{ -3 | abs }} {{ 'a b  c' | wordcount }} {{ '<a href=\"x\">' | e }} {{ 'x' | safe }}", {}),
 ("{{ 'line1\nline2\n\nline4' | indent(2) }}|{{ 'a\nb' | indent(2, true) }}|{{ 'a\n\nb' | indent(width='> ', blank=true) }}", {}),
 ("{{ l | selectattr('role', 'equalto', 'user') | map(attribute='c') | list }} {{ l | rejectattr('role', 'eq', 'user') | list | length }} {{ l | selectattr('c') | list | length }}", {"l": [{"role": "user", "c": "u"}, {"role": "bot", "c": ""}]}),
 ("{{ [1, 2, 3, 4] | select('even') | list }} {{ [1, 0, 2] | select | list }} {{ [1, 2, 3] | reject('odd') | list }} {{ ['a', 'b'] | map('upper') | list }}", {}),
 ("{{ [1, 1, 'A', 'a'] | unique | list }} {{ [1, 2, 3, 4, 5] | batch(2) | list }} {{ 'hello world foo' | truncate(9, leeway=0) }} {{ 'abc' | center(7) }}|", {}),
 ("{{ '%s-%s' | format('a', 'b') }} {{ 'x' | attr('upper') is callable }} {{ [1, 2] | list | first }}", {}),
 # str methods
 ("{{ '  a b  '.strip() }}|{{ 'xxaxx'.lstrip('x') }}|{{ 'a,b,,c'.split(',') }} {{ ' a  b '.split() }} {{ 'a b c'.split(' ', 1) }} {{ 'a b c'.rsplit(' ', 1) }}", {}),
 ("{{ 'Hello'.startswith('He') }} {{ 'Hello'.endswith(('x', 'lo')) }} {{ 'hello world'.title() }} {{ 'ab'.upper() }} {{ 'AB'.lower() }} {{ 'hello'.capitalize() }} {{ 'a-b'.replace('-', '+') }} {{ 'aaa'.replace('a', 'b', 2) }}", {}),
 ("{{ 'abcabc'.find('c') }} {{ 'abcabc'.rfind('c') }} {{ 'abc'.find('z') }} {{ 'abcabc'.count('bc') }} {{ '-'.join(['a', 'b']) }} {{ 'l1\nl2\r\nl3'.splitlines() }} {{ '{} and {x}'.format(1, x=2) }}", {}),
 ("{{ '12'.isdigit() }} {{ 'ab'.isalpha() }} {{ ' '.isspace() }} {{ 'Ab'.islower() }} {{ '5'.zfill(3) }} {{ 'ab'.ljust(4) }}| {{ 'ab'.rjust(4, '*') }} {{ 'a=b=c'.partition('=') }} {{ 'a.txt'.removesuffix('.txt') }} {{ 'ÉCOLE'.lower() }} {{ 'straße'.upper() }}", {}),
 # dict / list methods
 ("{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 0) }} {{ d.keys() | list }} {{ d.values() | list }} {{ d.items() | list }} {{ [1, 2, 1].count(1) }} {{ [1, 2].index(2) }}", {"d": {"a": 1, "b": 2}}),
 # globals
 ("{{ range(3) | list }} {{ range(1, 7, 2) | list }} {{ range(3, 0, -1) | list }} {{ dict(a=1, b=2) }} {{ namespace(a=1).a }}", {}),
 ("{{ strftime_now('%Y-%m-%d %H:%M %A %d %B %j') }}", {}),
 # messages-like data
 ("{% for m in messages %}{{ m.role }}:{{ m['content'] }}{% if not loop.last %}\n{% endif %}{% endfor %}", {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}),
 ("{{ messages[0].content[0].text }} {{ (messages | last).role }} {{ messages | map(attribute='role') | join(',') }}", {"messages": [{"role": "user", "content": [{"type": "text", "text": "T"}]}]}),
 # numbers past int64/double (fuzz_chat_template found std::stoll throwing on `x.<20 digits>`)
 ("{{ 1e999 }} {{ -1e999 }} {{ 1e-999 }} {{ 2.5e-320 }}", {}),
 ("{{ l.99999999999999999999 }}|{{ s.99999999999999999999 }}|{{ d.99999999999999999999 }}|{{ l.0 }}", {"l": [1], "s": "abc", "d": {"a": 1}}),
 ("{{ [l] | map(attribute='99999999999999999999') | select('defined') | list }}|{{ [l] | map(attribute='0') | list }}", {"l": [1]}),
]

ERRORS = [
 # (template, variables) that Python refuses: we must refuse them too (messages are ours).
 ("{{ missing.attr }}", {}),
 ("{{ 1 + 'a' }}", {}),
 ("{{ 'a' + 1 }}", {}),
 ("{{ 1 // 0 }}", {}),
 ("{{ [].append(1) }}", {}),
 ("{{ {'a': 1}.update({}) }}", {}),
 ("{{ raise_exception('Only user and assistant roles are supported!') }}", {}),
 ("{{ range(200000) | length }}", {}),
 ("{{ d.a.b }}", {"d": {}}),
 ("{{ none.x }}", {}),
 ("{{ 'a' < 1 }}", {}),
 ("{{ x | tojson }}", {}),
 ("{{ '{99999999999999999999}'.format(1) }}", {}),
]


def main():
    """Writes tests/golden/jinja_engine_cases.json: each case with Python jinja2's output (configured
    as transformers does, scripts/golden/chat_templates.py) or "error" when Python refuses it.
    Run: /usr/bin/python3 scripts/golden/jinja_engine_cases.py > tests/golden/jinja_engine_cases.json"""
    import json
    import os
    import sys
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from chat_templates import NOW, RaisedByTemplate, compile_template
    out = []
    for template, variables in CASES + ERRORS:
        case = {"template": template, "variables": variables}
        try:
            case["output"] = compile_template(template).render(**variables)
        except RaisedByTemplate as e:
            case["raised"] = str(e)
        except Exception as e:
            case["error"] = type(e).__name__ + ": " + str(e)
        out.append(case)
    json.dump({"jinja2": __import__("jinja2").__version__, "now": NOW, "cases": out}, sys.stdout, ensure_ascii=False, indent=0)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
