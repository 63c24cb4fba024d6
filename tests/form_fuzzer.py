"""A fuzzer of the site as people reach it: crawl the pages a role sees, post every form found with hostile
values, and GET every URL pattern with hostile path and query values. Every answer must be below 500 and no
page may be a traceback.

How it works:

- :func:`url_patterns` lists every route of ``organiser.urls`` (pages, the admin with each model's views, the
  API), so a new route is fuzzed without being listed anywhere.
- :class:`Fuzzer` crawls as one client from seed paths, following the links, ``hx-get`` targets and GET forms
  of each page it reaches (a few pages per route and query shape, so a list of 60 electors costs one visit),
  and posts each POST form: once as a browser would (every default), then once per hostile value set
  (:data:`HOSTILE`), every field at once, plus a set with every choice outside its options.
- Each request runs in a savepoint rolled back afterwards, and the client's cookies are put back, so what one
  request writes (or deletes, or logs out) never changes the next: runs are deterministic for a seed.

Hostile values are what broke pages before (issue 10): NUL, a field past any limit, Unicode digits that pass
``str.isdigit()``, CRLF, JSON nested 500 deep or of the wrong shape, ids past 64 bits, impossible dates,
right-to-left marks, files in UTF-16 or with lone CRs, binary files.
"""

from __future__ import annotations

import functools
import random
import re
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern

# --- hostile values -------------------------------------------------------------------------------------------

DEEP_JSON = "[" * 500 + "]" * 500

#: Each set is applied to every text-like field of a form at once (name: value).
HOSTILE: dict[str, str] = {
    "nul": "a\x00b",
    "huge": "x" * 100_000,
    "unicode_digits": "²³",
    "arabic_digits": "١٢٣",
    "crlf": "a\r\nSet-Cookie: x=1\r\n",
    "deep_json": DEEP_JSON,
    "json_scalar": "5",
    "json_object": '{"a": {"b": [1, null, "\\u0000"]}}',
    "bigint": "10000000000000000000",
    "negative": "-1",
    "float": "1e309",
    "nan": "NaN",
    "date": "0000-00-00",
    "datetime": "9999-12-31T99:99:99+99:00",
    "rtl": "\u202egnp.exe\u200f\ufeff",
    "emoji": "💥" * 300,
    "markup": '"><script>alert(1)</script><meta http-equiv="refresh" content="0;url=//evil.example">',
    "sql": "' OR 1=1; --",
    "path": "../../../../etc/passwd",
    "empty": "",
    "space": "   ",
}

#: Hostile values for path parameters and query values.
HOSTILE_PATH = ["10000000000000000000", "0", "-1", "²", "\u0661", "a\x00", "%0d%0a", "x" * 300, "..", "💥", "1.5"]
HOSTILE_QUERY = ["a\x00b", "²", "10000000000000000000", "-1", "", "x" * 5000, "a\r\nb", "[]", "0000-00-00"]


def hostile_files() -> dict[str, Callable[[], SimpleUploadedFile]]:
    """Files as they arrive wrong (a new file object each call: uploads are read)."""
    rows = 'Elector Number Prefix,Elector Number,Elector Name,PostCode\r\nKA,1,"Able, Ann",IG6 2AA\r\n'
    return {
        "utf16": lambda: SimpleUploadedFile("register.csv", rows.encode("utf-16"), "text/csv"),
        "cr_only": lambda: SimpleUploadedFile("register.csv", rows.replace("\r\n", "\r").encode(), "text/csv"),
        "binary": lambda: SimpleUploadedFile("register.csv", bytes(range(256)) * 8, "application/octet-stream"),
        "empty": lambda: SimpleUploadedFile("register.csv", b"", "text/csv"),
        "huge_field": lambda: SimpleUploadedFile(
            "register.csv", (rows + 'KA,2,"' + "x" * 200_000 + '",IG6 2AA\r\n').encode(), "text/csv"
        ),
        "bad_quote": lambda: SimpleUploadedFile("register.csv", b'"Elector Number,"Elector\r\nKA,1\r\n', "text/csv"),
    }


# --- URL patterns -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern: its route (as ``ResolverMatch.route`` says it), its name (``app:name``), its path
    parameters, and whether any part of it is a regular expression (such routes are not filled in)."""

    route: str
    name: str
    params: tuple[str, ...]
    regex: bool


def _route_text(pattern) -> str:
    return str(pattern.pattern)


def url_patterns(resolver=None, prefix: str = "", namespace: str = "", regex_above: bool = False) -> list[Route]:
    """Every route of the project, admin and API included, in a stable order."""
    resolver = resolver or get_resolver()
    found: list[Route] = []
    for entry in resolver.url_patterns:
        part = _route_text(entry)
        text = prefix + (part.removeprefix("^") if prefix else part)  # as Django joins a route's parts
        regex = regex_above or isinstance(entry.pattern, RegexPattern)
        if isinstance(entry, URLResolver):
            space = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
            found += url_patterns(entry, text, space, regex)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".lstrip(":") if entry.name else ""
            found.append(Route(text, name, tuple(_PARAM_NAME.findall(text)), regex))
    return found


_PARAM_NAME = re.compile(r"<(?:[^>:]+:)?([^>]+)>")


@functools.lru_cache(maxsize=65536)
def route_of(path: str) -> str | None:
    """The route ``path`` resolves to (``ResolverMatch.route``), or None."""
    try:
        return resolve(urlsplit(path).path).route
    except Resolver404:
        return None


_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def fill(route: Route, values: dict[str, str]) -> str | None:
    """The path of ``route`` with each ``<converter:name>`` replaced, or None for a regex route."""
    if route.regex:
        return None
    return "/" + _PARAM.sub(lambda match: values.get(match["name"], "1"), route.route)


# --- pages and forms --------------------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "select-multiple" or "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    method: str
    action: str
    enctype: str
    fields: list[Field] = field(default_factory=list)

    def shape(self) -> tuple:
        """What makes two forms the same for the fuzzer: where it posts (ids folded) and its field names."""
        return (self.method, _fold_ids(self.action), tuple(sorted({f.name for f in self.fields})))


def _fold_ids(path: str) -> str:
    return re.sub(r"/\d+(?=/|$|\.)", "/N", urlsplit(path).path)


class PageParser(HTMLParser):
    """Links (``a[href]``, ``hx-get``) and forms with their fields, from one HTML page."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None
        self._option: str | None = None

    def _url(self, value: str) -> str:
        return urljoin(self.base, value)

    def handle_starttag(self, tag: str, attributes) -> None:
        attrs = {key: value or "" for key, value in attributes}
        for key, value in attrs.items():
            # htmx's targets and the URLs pages hand their scripts (data-data-url, data-post-url, ...)
            if value and (key == "hx-get" or (key.startswith("data-") and key.endswith("url"))):
                self.links.append(self._url(value))
        if tag == "a" and attrs.get("href"):
            self.links.append(self._url(attrs["href"]))
        elif tag == "form":
            self._form = Form(
                method=(attrs.get("method") or "get").lower(),
                action=self._url(attrs.get("action") or self.base),
                enctype=attrs.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            self._form.fields.append(
                Field(
                    attrs["name"], kind, attrs.get("value", "on" if kind == "checkbox" else ""), [], "checked" in attrs
                )
            )
        elif tag == "button" and attrs.get("name"):
            self._form.fields.append(Field(attrs["name"], "submit", attrs.get("value", "")))
        elif tag == "select" and attrs.get("name"):
            self._select = Field(attrs["name"], "select-multiple" if "multiple" in attrs else "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            self._option = value
            if value is not None:
                self._select.options.append(value)
                if "selected" in attrs:
                    self._select.value, self._select.checked = value, True
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = Field(attrs["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        elif self._select is not None and self._option is None and data.strip():
            self._select.options.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option":
            self._option = None


TEXT_KINDS = {"text", "hidden", "textarea", "email", "number", "date", "datetime-local", "time", "tel", "url"}
TEXT_KINDS |= {"search", "password", "month", "week", "color", "range"}


def browser_data(form: Form) -> dict[str, list[str]]:
    """What a browser would send for ``form`` untouched: defaults, checked boxes, selected options, the first
    submit button."""
    data: dict[str, list[str]] = {}
    submitted = False
    for item in form.fields:
        if item.kind in ("checkbox", "radio"):
            if item.checked:
                data.setdefault(item.name, []).append(item.value)
        elif item.kind in ("submit", "image"):
            if not submitted:
                data.setdefault(item.name, []).append(item.value)
                submitted = True
        elif item.kind == "select":
            value = item.value if item.checked else (item.options[0] if item.options else "")
            data.setdefault(item.name, []).append(value)
        elif item.kind == "select-multiple":
            if item.checked:
                data.setdefault(item.name, []).append(item.value)
        elif item.kind == "file":
            continue
        elif item.kind not in ("button", "reset"):
            data.setdefault(item.name, []).append(item.value)
    return data


def hostile_data(form: Form, value: str, *, choices_too: bool) -> dict[str, list[str]]:
    """``form`` as a browser sends it, with every text-like field set to ``value`` (and, with ``choices_too``,
    every choice and box too: a value outside the options). The CSRF token is kept."""
    data = browser_data(form)
    for item in form.fields:
        if item.name == "csrfmiddlewaretoken":
            continue
        if item.kind in TEXT_KINDS:
            data[item.name] = [value]
        elif choices_too and item.kind in ("select", "select-multiple", "checkbox", "radio"):
            data[item.name] = [value, value] if item.kind in ("select-multiple", "checkbox") else [value]
    return data


# --- the crawl --------------------------------------------------------------------------------------------------


@dataclass
class Finding:
    role: str
    method: str
    path: str
    status: int
    what: str  # which hostile value, or "browser", "page"
    error: str

    def __str__(self) -> str:
        return f"{self.role} {self.method.upper()} {self.path[:160]!r} [{self.what}] -> {self.status}: {self.error}"


@dataclass
class Stats:
    pages: int = 0
    forms: int = 0
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    routes_reached: set = field(default_factory=set)  # answered 200
    routes_tried: set = field(default_factory=set)  # requested from a link, a seed or a form (any answer)


@dataclass
class Budget:
    """How much one role's pass does (the profiles in the test set these)."""

    pages: int = 60  # pages visited (GET) at most
    hostile_sets: int = 3  # hostile value sets posted to a form no role posted before
    hostile_sets_again: int = 1  # ... to a form an earlier role already posted with hostile values
    visits_per_shape: int = 1  # pages of one route and query shape visited
    query_keys: int = 1  # query values made hostile per page whose shape is new


@dataclass
class Shared:
    """What every role's pass knows of the others': routes reached, forms and page shapes already fuzzed."""

    routes_tried: set = field(default_factory=set)
    forms_fuzzed: set = field(default_factory=set)
    shapes_fuzzed: set = field(default_factory=set)


class _Rollback(Exception):
    pass


class _Queue:
    """Paths to visit. Next is a seed to a route no role has requested yet; then a path found on a page to such a
    route; then one found to a route this role has not requested; then such a seed; then the rest; each in the
    order found."""

    def __init__(self, tried: set, mine: set) -> None:
        self.tried, self.mine = tried, mine
        self.found: dict[str | None, deque] = {}
        self.seeds: dict[str | None, deque] = {}
        self.size = 0

    def __bool__(self) -> bool:
        return self.size > 0

    def extend(self, paths: Iterable[str], *, seeds: bool = False) -> None:
        for path in paths:
            (self.seeds if seeds else self.found).setdefault(route_of(path), deque()).append(path)
            self.size += 1

    def append(self, path: str) -> None:
        self.extend([path])

    def pop(self) -> str:
        for group, fresh in (
            (self.seeds, self.tried),
            (self.found, self.tried),
            (self.found, self.mine),
            (self.seeds, self.mine),
        ):
            for route, paths in group.items():
                if paths and route not in fresh:
                    return self._take(paths)
        group = self.found if any(self.found.values()) else self.seeds
        return self._take(next(paths for paths in group.values() if paths))

    def _take(self, paths: deque) -> str:
        self.size -= 1
        return paths.popleft()


class Fuzzer:
    """Crawls and fuzzes as one ``client`` (see the module docstring).

    The crawl visits first the links to routes no role has reached yet, so a small budget still covers every
    page; forms and query shapes another role fuzzed already get fewer hostile sets."""

    def __init__(
        self,
        role: str,
        client: Client,
        *,
        seed: int,
        budget: Budget,
        shared: Shared | None = None,
        skip: Callable[[str], bool] = lambda path: False,
    ) -> None:
        self.role, self.client = role, client
        self.client.raise_request_exception = False
        self.random = random.Random(f"{seed}:{role}")
        self.budget = budget
        self.shared = shared or Shared()
        self.skip = skip
        self.findings: list[Finding] = []
        self.stats = Stats()
        self.log: list[tuple[str, str, str, int, float]] = []  # every request: method, path, what, status, s
        self._errors: list[str] = []
        self._shape_visits: Counter = Counter()
        self._seen_pages: set[str] = set()
        self._seen_forms: set[tuple] = set()

    # requests

    def _on_exception(self, sender, request=None, **kwargs) -> None:
        lines = traceback.format_exc(limit=-2).strip().splitlines()
        self._errors.append(" | ".join(line.strip() for line in lines[-4:]))

    def request(self, method: str, path: str, data=None, *, what: str, **extra):
        """One request in a savepoint rolled back after it, the client's cookies put back; returns the response,
        recording a finding for a 5xx or a traceback page."""
        started = time.perf_counter()
        cookies = self.client.cookies
        self.client.cookies = type(cookies)(cookies)  # a copy, so that a logout or new session does not stay
        self._errors.clear()
        got_request_exception.connect(self._on_exception)
        status, body = 0, b""
        try:
            with transaction.atomic():
                response = getattr(self.client, method)(path, data or {}, **extra)
                status = response.status_code
                try:
                    # A download streams its rows after the view returns: read them here, in the savepoint.
                    body = b"".join(response.streaming_content) if response.streaming else response.content
                except Exception:
                    self._on_exception(None)
                    status = 599  # failed while streaming: the person gets a broken file
                raise _Rollback
        except _Rollback:
            pass
        finally:
            got_request_exception.disconnect(self._on_exception)
            self.client.cookies = cookies
        elapsed = time.perf_counter() - started
        self.stats.requests += 1
        self.stats.seconds += elapsed
        self.stats.statuses[status] += 1
        self.log.append((method, path[:200], what, status, elapsed))
        if status >= 500 or b"Traceback (most recent call last)" in body[:500_000]:
            error = self._errors[-1] if self._errors else body[:200].decode(errors="replace")
            self.findings.append(Finding(self.role, method, path, status, what, error))
        response.fuzz_body = body
        return response

    # crawling

    def _local(self, url: str) -> str | None:
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or parts.netloc not in ("", "testserver"):
            return None
        if not parts.path.startswith("/") or parts.path.startswith(("/static/", "/media/")):
            return None
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return None if self.skip(path) else path

    def _shape(self, path: str) -> tuple:
        parts = urlsplit(path)
        return (_fold_ids(path), tuple(sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})))

    def crawl(self, seeds: Iterable[str]) -> None:
        queue = _Queue(self.shared.routes_tried, self.stats.routes_tried)
        seeds = [path for path in (self._local(seed) for seed in seeds) if path]
        queue.extend(seeds, seeds=True)
        while queue and self.stats.pages < self.budget.pages:
            path = queue.pop()
            if path in self._seen_pages:
                continue
            shape = self._shape(path)
            if self._shape_visits[shape] >= self.budget.visits_per_shape and path not in seeds:
                continue
            self._seen_pages.add(path)
            self._shape_visits[shape] += 1
            response = self.request("get", path, what="page")
            self.stats.pages += 1
            route = route_of(path)
            self._tried(route)
            if response.status_code == 200:
                self.stats.routes_reached.add(route)
            if response.status_code in (301, 302, 303, 307, 308):
                target = self._local(urljoin(path, response["Location"]))
                if target:
                    queue.append(target)
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            page = PageParser(base=path)
            page.feed(response.fuzz_body.decode(errors="replace"))
            queue.extend(local for link in page.links if (local := self._local(link)) and local not in self._seen_pages)
            for form in page.forms:
                queue.extend(self.fuzz_form(form))
            if shape not in self.shared.shapes_fuzzed:
                self.shared.shapes_fuzzed.add(shape)
                self.fuzz_query(path)

    def _tried(self, route: str | None) -> None:
        self.stats.routes_tried.add(route)
        self.shared.routes_tried.add(route)

    def fuzz_query(self, path: str) -> None:
        """The page again with query values made hostile (one per request; which, and with what, by the seed)."""
        parts = urlsplit(path)
        query = parse_qsl(parts.query, keep_blank_values=True)
        for index in sorted(self.random.sample(range(len(query)), k=min(self.budget.query_keys, len(query)))):
            key = query[index][0]
            changed = [*query[:index], (key, self.random.choice(HOSTILE_QUERY)), *query[index + 1 :]]
            self.request("get", f"{parts.path}?{urlencode(changed)}", what=f"query {key}")

    def fuzz_form(self, form: Form) -> list[str]:
        """Post (or get) ``form``: as a browser would, then with hostile values; returns GET pages to crawl."""
        target = self._local(form.action)
        if target is None:
            return []
        shape = form.shape()
        if shape in self._seen_forms:
            return []
        self._seen_forms.add(shape)
        self.stats.forms += 1
        self._tried(route_of(target))
        first = shape not in self.shared.forms_fuzzed
        self.shared.forms_fuzzed.add(shape)
        if form.method == "get":
            data = {key: values for key, values in browser_data(form).items() if key}
            base = urlsplit(target).path
            page = f"{base}?{urlencode(data, doseq=True)}" if data else base
            for name in self.random.sample(sorted(data), k=min(len(data), 2 if first else 1)):
                hostile = self.random.choice(HOSTILE_QUERY)
                self.request("get", f"{base}?{urlencode({**data, name: [hostile]}, doseq=True)}", what=f"get {name}")
            return [page]
        self._post(target, form, browser_data(form), "browser")
        count = self.budget.hostile_sets if first else self.budget.hostile_sets_again
        for name in self.random.sample(list(HOSTILE), k=min(count, len(HOSTILE))):
            self._post(target, form, hostile_data(form, HOSTILE[name], choices_too=False), name)
        if first:
            hostile = self.random.choice(list(HOSTILE.values()))
            self._post(target, form, hostile_data(form, hostile, choices_too=True), "choices")
        return []

    def _post(self, target: str, form: Form, data: dict[str, list[str]], what: str) -> None:
        files = [item.name for item in form.fields if item.kind == "file"]
        if files:
            makers = hostile_files()
            kind = self.random.choice(sorted(makers))
            for name in files:
                data[name] = makers[kind]()
            what = f"{what}, file {kind}"
        self.request("post", target, data, what=what)

    def hostile_path(self, route: Route, value: str) -> None:
        """GET ``route`` with every path parameter set to ``value`` (a route without any: hostile ``?page=``,
        ``?q=`` and ``?o=``, the admin's and the lists' own)."""
        if route.regex:
            return
        if route.params:
            self.request("get", _quote_path(fill(route, dict.fromkeys(route.params, value))), what=f"path {route.name}")
        else:
            query = {"page": value, "q": value, "o": value}
            self.request("get", fill(route, {}), query, what=f"query {route.name}")


def _quote_path(path: str) -> str:
    """The path as a client would send it: the test client unquotes ``%xx`` into PATH_INFO."""
    from urllib.parse import quote

    return quote(path, safe="/%")


def iter_findings(fuzzers: Iterable[Fuzzer]) -> Iterator[Finding]:
    for fuzzer in fuzzers:
        yield from fuzzer.findings
