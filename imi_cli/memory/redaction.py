"""Secrets pasted into memory are never stored as they are: they are replaced before any write.

Agents paste command output, config snippets and URLs into notes and summaries;
a credential there would end up in the database, its WAL and the git-tracked
text. Each rule below names one kind of credential; a match is replaced by
`[REDACTED:<kind>]` and reported, unless storing it was asked for on purpose.

Two families of rules: tokens whose shape alone gives them away (a vendor
prefix and a fixed length), and values assigned to a name that says "secret"
(`DB_PASSWORD=...`, `"client_secret": "..."`, `redis://:pw@host`). The second
family checks the value, so code that merely handles secrets
(`password = get_password(v2)`, `token: ${{ secrets.X }}`) stays as it was.
Measured on tests/data/redaction-corpus.tsv (see docs/guarantees.md).
"""

from __future__ import annotations

from .lazyre import LazyPattern, re
from .secrets import Finding, Policy, current, policy  # noqa: F401  (policy: what a command found)

# --- What a value must look like ------------------------------------------------------------

_PLACEHOLDER_WORDS = frozenset("""
    changeme change_me password passwd pass pwd secret token example sample dummy fake none null nil
    true false undefined required optional string str hidden redacted empty todo tbd default
    placeholder value your_password your_token mysecret
""".split())
_PLACEHOLDER_START = tuple("$<{[(!*&~")
_PLACEHOLDER_PART = LazyPattern(r"(?i)x{4}|\*{3}|\.{3}|…|\{\{|\$\{|<[^>]*>|(.)\1{5}"
                               r"|%\w+%|%\(\w+\)[sd]|^%[sd]$")
_PLACEHOLDER_PREFIX = LazyPattern(r"(?i:your|replace|insert|example|sample)(?:[-_ ]|[A-Z]|$)")  # YOUR_KEY, yourToken
_WORDS = LazyPattern(r"[A-Za-z][a-z]*(?:[-_.][A-Za-z][a-z]*)*|[A-Z]+(?:_[A-Z]+)*")
_CODE_REFERENCE = LazyPattern(r"[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+")  # settings.API_KEY, process.env.X


def _placeholder(value: str) -> bool:
    """`<YOUR_TOKEN>`, `${VAR}`, `xxxx`, `changeme`: text that stands for a secret without being one."""
    plain = value.strip("\"'`")
    return (not plain or plain.startswith(_PLACEHOLDER_START) or bool(_PLACEHOLDER_PART.search(plain))
            or plain.lower() in _PLACEHOLDER_WORDS or bool(_PLACEHOLDER_PREFIX.match(plain)))


def _is_path(value: str) -> bool:
    return value.startswith(("/", "./", "../", "~/")) or bool(re.match(r"[A-Za-z]:\\", value))


def _token(value: str) -> bool:
    """A vendor token: anything but a placeholder (`AKIAXXXXXXXXXXXXXXXX`, `sk_live_...`)."""
    return not _placeholder(value)


def _random(value: str) -> bool:
    """Looks generated: two of lower/upper/digits, and not words joined by dashes (`sk-learn-pipelines-v2`)."""
    if _placeholder(value):
        return False
    classes = sum(bool(re.search(p, value)) for p in ("[a-z]", "[A-Z]", "[0-9]"))
    parts = re.split(r"[-_.]", value)
    wordy = all(re.fullmatch(r"[a-z]{1,12}|[A-Z][a-z]{1,11}|v?\d{1,3}", p) for p in parts if p)
    return classes >= 2 and not wordy


def _literal(value: str) -> bool:
    """A value written literally where a secret goes (an env file, a quoted string): not a stand-in."""
    return len(value) >= 4 and not _placeholder(value) and not _is_path(value) \
        and not _CODE_REFERENCE.fullmatch(value) and not value.isdigit()


def _quoted(value: str) -> bool:
    """A quoted string assigned to a secret name: a secret unless it is a phrase, a name or a stand-in."""
    return len(value) >= 6 and not any(c.isspace() for c in value) and _literal(value) \
        and not _WORDS.fullmatch(value)


def _bare(value: str, key: str) -> bool:
    """An unquoted value in code or config: a secret unless it reads as code (a call, a name, a word)."""
    if len(value) < 6 or not _literal(value) or re.search(r"[()\[\]]", value):
        return False
    if re.fullmatch(r"[A-Za-z_]\w*", value):  # identifier-shaped: a variable, unless random-looking
        squashed = re.sub(r"[-_.]", "", key.lower())
        named = max((word for word in _KEY_WORDS if squashed.endswith(word)), key=len, default="\0")
        return "_" not in value and any(c.isdigit() for c in value) and named not in value.lower()
    return not _WORDS.fullmatch(value)


def _spoken(value: str) -> bool:
    """`the password is X`: X has a digit or a symbol (prose goes on with words)."""
    return _bare(value, "") and bool(re.search(r"[\d\W]", value))


# --- The rules ------------------------------------------------------------------------------

class Rule(tuple):
    """(kind, pattern, group, check, needs, run): a tuple, not a NamedTuple, as `typing` costs every
    write more than the rules do."""

    __slots__ = ()

    def __new__(cls, kind: str, pattern: str, group: int | str = 0, check=_token, needs: tuple[str, ...] = (),
                run: int = 0):
        # group: the part replaced (0 is the whole match); check: is the matched part really a secret?
        # needs: texts of which one must be there (speed): found in the lower-cased text when written in
        # lower case, else as written (a pattern that matches only "SK" need not run for every "task");
        # run: for a match that is one run without whitespace, its shortest length (a text without so
        # long a run is not searched: "." wakes the Discord rule in most texts, 59 characters do not)
        return super().__new__(cls, (kind, pattern, group, check, needs, run))

    kind = property(lambda self: self[0])
    pattern = property(lambda self: self[1])
    group = property(lambda self: self[2])
    check = property(lambda self: self[3])
    needs = property(lambda self: self[4])
    run = property(lambda self: self[5])


# A token starts here, not inside a longer word. Checked in code, not in the pattern: a pattern
# that starts with its literal prefix is searched for quickly, one that starts with a lookbehind is not.
_B = "(?<!BOUNDED)"
_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_E = r"(?![A-Za-z0-9_-])"
_AUTHORIZATION = r"(?i)\bAuthorization[\"'\]]*\s*[:=]\s*[\"']?"
_VALUE = r"(?P<q>[\"'`])?(?P<value>(?(q)[^\"'`\n]*|[^\s\"'`<]+))"

_RULES: list[Rule] = [
    Rule("private-key", r"-----BEGIN[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----[\s\S]*?"
                        r"(?:-----END[A-Z0-9 ]* PRIVATE KEY(?: BLOCK)?-----|\Z)", needs=("private key",)),
    Rule("age-secret-key", r"AGE-SECRET-KEY-1[0-9A-Z]{58}", needs=("age-secret-key-1",)),
    Rule("aws-access-key", r"(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}(?![A-Z0-9])",
         needs=("akia", "asia", "abia", "acca")),
    Rule("github-token", _B + r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})" + _E,
         needs=("gh", "github_pat_")),
    Rule("gitlab-token", _B + r"gl(?:pat|ptt|dt|rt|cbt|oas|ft)-[A-Za-z0-9_-]{20,}", needs=("gl",)),
    Rule("anthropic-key", _B + r"sk-ant-[A-Za-z0-9_-]{20,}", needs=("sk-ant-",)),
    Rule("openai-key", _B + r"sk-(?:proj-|svcacct-|admin-|or-v1-)?(?P<v>[A-Za-z0-9_-]{20,})", 0,
         lambda v: _random(re.sub(r"^sk-(?:proj-|svcacct-|admin-|or-v1-)?", "", v)), needs=("sk-",)),
    Rule("google-api-key", _B + r"AIza[0-9A-Za-z_-]{35}" + _E, needs=("aiza",)),
    Rule("google-oauth-secret", _B + r"GOCSPX-[A-Za-z0-9_-]{28}" + _E, needs=("gocspx-",)),
    Rule("slack-token", _B + r"xox[abposre]-[A-Za-z0-9-]{10,}", needs=("xox",)),
    Rule("slack-app-token", _B + r"xapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,}", needs=("xapp-",)),
    Rule("slack-webhook", r"hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_-]{20,})", 1,
         needs=("hooks.slack.com",)),
    Rule("stripe-key", _B + r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}" + _E, needs=("_live_", "_test_")),
    Rule("stripe-webhook-secret", _B + r"whsec_[A-Za-z0-9+/]{24,}", needs=("whsec_",)),
    Rule("sendgrid-key", _B + r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}" + _E, needs=("sg.",)),
    Rule("twilio-key", r"(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])", needs=("SK",)),
    Rule("huggingface-token", _B + r"hf_[A-Za-z0-9]{30,}" + _E, needs=("hf_",)),
    Rule("npm-token", _B + r"npm_[A-Za-z0-9]{36}" + _E, needs=("npm_",)),
    Rule("pypi-token", _B + r"pypi-AgE[A-Za-z0-9_-]{50,}", needs=("pypi-age",)),
    Rule("jwt", _B + r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", needs=("eyj",)),
    Rule("discord-token", r"(?<![\w.-])[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38}" + _E, 0,
         _random, needs=(".",), run=1 + 23 + 1 + 6 + 1 + 27),
    Rule("telegram-bot-token", r"(?<!\d)\d{8,10}:AA[A-Za-z0-9_-]{33}" + _E, needs=(":aa",)),
    Rule("mailgun-key", _B + r"key-[0-9a-f]{32}" + _E, needs=("key-",)),
    Rule("shopify-token", _B + r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}" + _E, needs=("shp",)),
    Rule("digitalocean-token", _B + r"do[opr]_v1_[a-f0-9]{64}" + _E, needs=("_v1_",)),
    Rule("databricks-token", _B + r"dapi[a-f0-9]{32}(?:-\d)?" + _E, needs=("dapi",)),
    Rule("vault-token", _B + r"hv[sbr]\.[A-Za-z0-9_-]{24,}", 0, _random, needs=("hvs.", "hvb.", "hvr.")),
    Rule("square-token", _B + r"(?:EAAA[A-Za-z0-9_-]{60}|sq0(?:atp|csp|idp)-[A-Za-z0-9_-]{22,43})" + _E,
         needs=("eaaa", "sq0")),
    Rule("linear-key", _B + r"lin_(?:api|oauth)_[A-Za-z0-9]{40}" + _E, needs=("lin_",)),
    Rule("notion-token", _B + r"(?:secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{46})" + _E, 0, _random,
         needs=("secret_", "ntn_")),
    Rule("postman-key", _B + r"PMAK-[a-f0-9]{24}-[a-f0-9]{34}" + _E, needs=("pmak-",)),
    Rule("grafana-token", _B + r"(?:glsa_[A-Za-z0-9]{32}_[a-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2})",
         needs=("glsa_", "glc_")),
    Rule("newrelic-key", _B + r"NR(?:AK|JS|II)-[A-Z0-9]{19,32}" + _E, needs=("nrak-", "nrjs-", "nrii-")),
    Rule("doppler-token", _B + r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}" + _E, needs=("dp.",)),
    Rule("atlassian-token", _B + r"ATATT3[A-Za-z0-9_=-]{150,}", needs=("atatt3",)),
    Rule("azure-storage-key", r"(?i)(?:AccountKey=|--account-key\s+)([A-Za-z0-9+/]{40,}={0,2})", 1,
         needs=("account",)),
    Rule("azure-sas", r"(?:[?&]sig=|SharedAccessKey=)([A-Za-z0-9%+/]{30,}={0,2})", 1,
         needs=("sig=", "sharedaccesskey=")),
    Rule("docker-auth", r"\"auth\"\s*:\s*\"([A-Za-z0-9+/]{16,}={0,2})\"", 1, needs=('"auth"',)),
    Rule("aws-secret-key", r"(?i)(?:aws_?secret_?(?:access_?)?key|SecretAccessKey)[\"']?\s*[:=]\s*[\"']?"
                           r"([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])", 1, needs=("secret",)),
    # scheme://user:password@host; the password may hold '@' and '/': it ends at the last '@' of the URL
    Rule("url-password", r"://(?P<user>[^\s:/@]*):(?!(?P=user)@)([^\s\"'`]+)@(?=[^\s@\"'`]*(?:[\s\"'`]|$))", 2,
         lambda v: not re.fullmatch(r"\d{1,5}(?:/.*)?", v) and not _placeholder(v), ("://",)),
    Rule("basic-auth", _AUTHORIZATION + r"Basic\s+([A-Za-z0-9+/]{8,}={0,2})", 1, needs=("authorization",)),
    Rule("bearer-token", _AUTHORIZATION + r"(?:Bearer|Token|Bot)\s+([^\s\"'`]{8,})", 1, needs=("authorization",)),
    Rule("api-key-header", r"(?i)\b(?:x-api-key|api-key|private-token|x-[a-z-]*token)\s*:\s*([^\s\"'`]{8,})", 1,
         needs=("api-key", "token")),
    Rule("password", r"(?:\s-u|--user)\s+[\"']?[^\s:\"']+:([^\s\"']+)", 1, lambda v: _bare(v, ""), ("-u",)),
    Rule("password", r"\blogin\s+\S+\s+password\s+(\S+)", 1, lambda v: _bare(v, ""), ("login",)),
    Rule("password", r"(?i)key=\"[\w.-]*(?:pass(?:word)?|pwd)\"\s+value=\"([^\"]+)\"", 1, _literal, ("value=",)),
    Rule("secret", r"(?i)key=\"[\w.-]*(?:secret|token|api_?key)\"\s+value=\"([^\"]+)\"", 1, _literal, ("value=",)),
    Rule("password", r"(?i)\bpassword\s+(?:is|was)\s+[\"']?([^\s\"']+)", 1, _spoken, ("password",)),
]

# Names that say their value is a secret. A name must END with one (PASSWORD_MIN_LENGTH, token_count stay).
_KEY_WORDS = ("password", "passwd", "passphrase", "pass", "pwd", "secret", "token", "apikey", "accesskey",
              "secretkey", "privatekey", "authkey", "signingkey", "encryptionkey", "masterkey", "accountkey",
              "storagekey", "credential", "credentials")
# The pattern starts at the word (fast to search for); the whole name is found by looking back from it.
_KEY = (r"(?i:(?P<word>pass(?:word|wd|phrase)?|pwd|secret|token|credentials?"
        r"|(?:api|access|secret|private|auth|signing|encryption|master|account|storage)[_.-]?key(?:[_.-]?base)?))")
_ASSIGNED_TAIL = r"(?P<close>[\"'\]]*)(?P<sep>\s*(?::=|=>|==|[:=])\s*|\s+)" + _VALUE
_ASSIGNED = LazyPattern(_KEY + _ASSIGNED_TAIL)
# The same, case-sensitive, for the lower-cased text of an ASCII text (the spans are the same): a pattern
# that ignores case is tried at every character, one that does not skips to the letters a name starts with
# (5x faster). Other texts use the pattern above: it also takes `ſ` for `s` and the Kelvin sign for `k`.
_ASSIGNED_LOWER = LazyPattern(_KEY.replace("(?i:", "(?:", 1) + _ASSIGNED_TAIL)
_XML = LazyPattern(r"(?i)<(?P<key>[\w.-]*(?:password|secret|token|api_?key))>(?P<value>[^<\s]+)</(?P=key)>")
_KEY_HINTS = ("pass", "pwd", "secret", "token", "key", "credential")
_PASSWORD_KEY = LazyPattern(r"(?i)pass|pwd")


def _keys_end_the_text(lower: str) -> bool:
    """Whether every word that may name a secret comes at the very end ("all tests pass"): nothing
    can be assigned to it, and the pattern need not run."""
    end = len(lower.rstrip())
    return all(lower.find(hint) == -1 or lower.find(hint) + len(hint) >= end for hint in _KEY_HINTS)


def _name_before(text: str, end: int) -> str:
    """The whole name that ends at `end`: `DB_PASSWORD`, `spring.datasource.password`, `--api-key`."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.-"):
        start -= 1
    return text[start:end]


def _assigned(text: str, match: re.Match, key: str) -> tuple[int, int] | None:
    """Where the secret is in `NAME = value` (or `--name value`), if the value is one: that depends
    on how it is written (quoted, env file, code, a command-line flag, a query string)."""
    sep, quote = match["sep"], match["q"]
    start, end = match.span("value")
    value = text[start:end]  # (the match may be in the lower-cased text)
    if not quote:
        value = re.split(r"&(?=[A-Za-z_]\w*=)", value, maxsplit=1)[0]  # a query string: token=X&next=...
        value = value.rstrip(",;:)}")
        end = start + len(value)
    if not sep.strip():  # `--password VALUE`, `-storepass VALUE`: only flags, and only secret-looking values
        found = key.startswith("-") and _spoken(value)
    elif quote:
        found = _quoted(value)
    elif re.fullmatch(r"(?:--)?[A-Z][A-Z0-9_]*", key) and (sep == "=" or sep.strip() == ":") \
            or key.startswith("--"):  # DB_PASSWORD=..., POSTGRES_PASSWORD: ..., --password=...
        found = _literal(value)
    else:
        found = _bare(value, key)
    return (start, end) if found else None


_COMPILED: dict[int, re.Pattern[str]] = {}


def _compiled(index: int) -> re.Pattern[str]:
    """A rule's pattern, compiled the first time a text could match it (most texts need few)."""
    pattern = _COMPILED.get(index)
    if pattern is None:
        pattern = _COMPILED[index] = re.compile(_RULES[index].pattern.removeprefix(_B))
    return pattern


_SCAN: list = []  # [scanner, {needle: rule indices it wakes}, {needle: wakes _ASSIGNED}, cased needles], built once


def _scanner() -> list:
    """One pass over a text names every rule whose `needs` it holds (a loop testing each rule's
    needs cost more than the rules themselves on a bulk load)."""
    if not _SCAN:
        needles = sorted({n for rule in _RULES for n in rule.needs} | set(_KEY_HINTS), key=len, reverse=True)
        # Needs in lower case are looked for in the lower-cased text; others (`SK`) as written.
        folded = [n for n in needles if n == n.lower()]
        # At each place the longest needle there is named, so a needle found stands for every needle
        # inside it too; `_found` searches again from the next character, so needles may overlap.
        pattern = re.compile(_alternatives(folded))
        wakes = {n: frozenset(i for i, rule in enumerate(_RULES) if any(m in n for m in rule.needs))
                 for n in needles}
        hints = {n: any(h in n for h in _KEY_HINTS) for n in needles}
        _SCAN.extend((pattern, wakes, hints, [n for n in needles if n != n.lower()]))
    return _SCAN


def _alternatives(words: list[str]) -> str:
    """A pattern matching the longest of `words` at a place, shaped as a tree of shared prefixes
    (the regex engine then tries one branch per first letter instead of every word)."""
    tree: dict = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: dict) -> str:
        alts = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else f"(?:{'|'.join(alts)})"
        return f"(?:{body})?" if "" in node else body

    return branch(tree)


_ALWAYS = frozenset(i for i, rule in enumerate(_RULES) if not rule.needs)
_SCAN_AFTER = 200  # texts looked at rule by rule before the scanner is built
_ASKED = [0]


def candidates(text: str, lower: str) -> tuple[list[int], bool]:
    """The rules (indices into _RULES, in order) whose needs the text holds (`lower`: the text
    lower-cased), and whether it holds a word that may name a secret (_KEY_HINTS).

    A command that writes one record asks each rule in turn; compiling the one-pass scanner costs
    more than that until a process has looked at a few hundred texts (a bulk load)."""
    _ASKED[0] += 1
    if _ASKED[0] <= _SCAN_AFTER:
        awake = [i for i, rule in enumerate(_RULES)
                 if not rule.needs or any(n in (lower if n == n.lower() else text) for n in rule.needs)]
        return awake, any(hint in lower for hint in _KEY_HINTS)
    scan, wakes, hints, cased = _scanner()
    found = _found(scan.search, lower)
    found.update(n for n in cased if n in text)
    key = frozenset(found)
    answer = _WOKEN.get(key)
    if answer is None:  # (few sets of needles occur: the same rules are woken again and again)
        if len(_WOKEN) >= 1024:
            _WOKEN.clear()
        answer = _WOKEN[key] = (sorted(_ALWAYS.union(*(wakes[n] for n in found))), any(hints[n] for n in found))
    return list(answer[0]), answer[1]


_WOKEN: dict[frozenset, tuple[list[int], bool]] = {}


def _found(search, lower: str) -> set[str]:
    """Every needle the scanner's `search` finds in the text, overlapping ones too. (A lookahead testing
    every character for a needle took a third longer than searching: a search skips to the characters
    needles start with.)"""
    found = set()
    match = search(lower)
    while match:
        found.add(match.group())
        match = search(lower, match.start() + 1)
    return found


def find(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of every credential in the text, in order, not overlapping."""
    return list(_find(text))


def holds_secret(text: str) -> bool:
    """Whether `find` would name a credential in the text (without building the list)."""
    return bool(_find(text))


_FOUND: dict[str, tuple[tuple[str, int, int], ...]] = {}  # short text -> its spans
_CACHED_LENGTH = 10_000  # longer texts (a whole pack, in `imi doctor`) would hold memory
_CACHED_CHARS = 8_000_000  # the cache is emptied when its texts hold more characters than this
_cached_chars = [0]


def _find(text: str) -> tuple[tuple[str, int, int], ...]:
    """Spans of `find`, kept for short texts: a bulk load meets the same ones again and again
    (empty lists, names, sources, a sentence many records share). Bounded by characters, not by
    texts: a year of memory holds 60,000 different task texts, and a cache of a few thousand
    forgot each one before it came again."""
    spans = _FOUND.get(text)
    if spans is None:
        spans = _find_uncached(text)
        if len(text) <= _CACHED_LENGTH:
            _cached_chars[0] += len(text) + 50  # (an empty text costs its entry too)
            if _cached_chars[0] > _CACHED_CHARS:
                _FOUND.clear()
                _cached_chars[0] = len(text) + 50
            _FOUND[text] = spans
    return spans


def forget_texts() -> None:
    """Empty the cache of texts already looked at (after a bulk load, so that a long-running server
    does not keep a year of texts)."""
    _FOUND.clear()
    _cached_chars[0] = 0


def _find_uncached(text: str) -> tuple[tuple[str, int, int], ...]:
    lower = text.lower()
    awake, assigned = candidates(text, lower)
    if assigned and _keys_end_the_text(lower):
        assigned = False
    if not awake and not assigned and "</" not in text:
        return ()  # most texts: no rule could match
    spans: list[tuple[str, int, int]] = []

    def add(kind: str, start: int, end: int) -> None:
        if start < end and not any(s < end and start < e for _, s, e in spans):
            spans.append((kind, start, end))

    longest = None
    for index in awake:
        kind, pattern, group, check, _needs, run = _RULES[index]
        if run:
            if len(text) < run:
                continue
            if longest is None:
                longest = max(map(len, text.split()), default=0)
            if longest < run:
                continue
        bounded = pattern.startswith(_B)
        for match in _compiled(index).finditer(text):
            start = match.start()
            if bounded and start and text[start - 1] in _WORD_CHARS:
                continue
            if check(match[group]):
                add(kind, *match.span(group))
    for match in (_ASSIGNED_LOWER.finditer(lower) if text.isascii() else _ASSIGNED.finditer(text)) if assigned else ():
        key = _name_before(text, match.end("word"))
        span = _assigned(text, match, key)
        if span:
            add("password" if _PASSWORD_KEY.search(key) else "secret", *span)
    for match in _XML.finditer(text) if "</" in text else ():
        if _literal(match["value"]):
            add("password" if _PASSWORD_KEY.search(match["key"]) else "secret", *match.span("value"))
    return tuple(sorted(spans, key=lambda span: span[1]))


def replace_secrets(text: str) -> tuple[str, list[str]]:
    """The text with every credential replaced by `[REDACTED:kind]`, and the kinds replaced (in order).

    Pure: no policy, no side effects. Redacting redacted text changes nothing.
    """
    spans = find(text)
    return (_replace(text, spans), [kind for kind, _, _ in spans]) if spans else (text, [])


def _replace(text: str, spans: list[tuple[str, int, int]]) -> str:
    out, last = [], 0
    for kind, start, end in spans:
        out.append(text[last:start])
        out.append(f"[REDACTED:{kind}]")
        last = end
    out.append(text[last:])
    return "".join(out)


def redact(text: str, what: str = "text") -> str:
    """Replace credentials with `[REDACTED:kind]`, recording each in the current policy.

    With a policy that allows secrets, the text comes back as it was (findings are
    still recorded, so the caller can say what was kept).
    """
    spans = find(text)
    if not spans:
        return text
    found_in = current()
    if found_in is not None:
        for kind, start, end in spans:
            found_in.record(kind, what, text[start:end])
        if found_in.allow:
            return text
    return _replace(text, spans)
