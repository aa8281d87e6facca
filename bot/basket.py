"""A medicine basket filled by one message or several: what the customer asked to add,
remove or change, and the basket after those edits.

:func:`parse_request` reads one message ('ek patta dolo 650 aur do patte okacet bhej do',
'put forxiga 3 strips and amlokind 2 strips also', 'remove okacet', 'make it 3',
'dolo 3 kar do') into :class:`Mention` s: a medicine name as typed, the quantity written next
to it (paired by position: 'ke 2 patte', 'x2', '2 strips of', before or after the name) and
whether it is added or removed. :func:`apply_changes` applies resolved mentions to basket
lines ``{"sku", "brand", "quantity"}``. Names are resolved to the catalogue by the caller
(``actions.medicines.resolve_medicine`` → ``bot.matching``). Plain Python, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.quantities import (
    BARE_NUMBER_WORDS,
    NUMBER_WORDS,
    WORD_CHARS,
    Quantity,
    find_quantities,
    number_value,
)

MAX_LINES = 10
MAX_QUANTITY = 20
ADD, REMOVE = "add", "remove"

_ADD_WORDS = frozenset("""
add also include includ put jod jodo jodna daal daalo dalo daaldo daal bhi send bhej bhejo
bhejna bhejiye bhejdo bhejde mangwa mangwao mangwana chahiye chaiye chahie want need order
भी जोड़ जोड़ो डाल डालो भेज भेजो भेजिए भेजें चाहिए
""".split())
_REMOVE_WORDS = frozenset("""
remove rmv delete del drop cancel hata hatao hatado hatana hatayen hataiye nikal nikalo
nikaal nikaalo nikaldo skip exclude without minus
हटा हटाओ हटाइए हटा निकाल निकालो निकालिए
""".split())
# Only next to a name do these mean "not this one": 'no okacet', 'okacet mat bhejo'.
_NOT_WORDS = frozenset("no not nahi nahin nhi mat dont don't मत नहीं".split())
_ALL_WORDS = frozenset(
    "all everything sab sabhi saari saare sara sari poora pura सब सारी सारे".split())
_ONLY_WORDS = frozenset("only sirf bas सिर्फ़ सिर्फ बस".split())
_FILLER = frozenset("""
please pls plz kindly place in into on to the a an my me i we want wanted need needed would
like get give can you could too as well same this that it them those these for of with from
one ones more again agn now today tomorrow asap urgent urgently medicine medicines meds
dawai dawa dawaiyan dawaai tablet tablets tab tabs capsule capsules ok okay yes yeah hi hello
sir madam ji bhai bhaiya thanks thank thx is be am are have has just instead quantity qty
make change set update total both pack packs delivery deliver home next time last
usual regular monthly refill buy new wo woh yeh ye usko isko unko inko uska iska de do dena
dedo dijiye kar karo kardo karna kariye karke kijiye mujhe muje mere mera meri liye ke ka ki
ko se mein main hai hain ho wala wali wale sath saath also x hi bhi in basket cart list
strip strips patta patte box bottle aur and n or phir fir dubara dobara same wahi bhi abhi
haan han haa ha theek thik sahi done confirm confirmed yep sure go ahead proceed reorder
repeat resend rpt reordr ordr snd sme also items item stuff things cool fine good great
हाँ हां ठीक
की के का को से में है हैं कर करो करें करिए दो दीजिए दे देना मुझे मेरी मेरा लिए वाली वाला
दवा दवाई दवाइयाँ दवाइयां गोली और भी फिर
""".split())
_SEPARATORS = frozenset("and aur also n & , ; + और तथा".split()) - {"also"}
_TOKEN_RE = re.compile(rf"[{WORD_CHARS}][{WORD_CHARS}'./-]*|[,;&+\n]")
# "make it 3", "change it to 2", "qty 4", "3 kar do", "2 instead": a count without a unit.
_NUM = r"\d{1,4}|" + "|".join(sorted((w for w in NUMBER_WORDS if w not in ("a", "an")),
                                     key=len, reverse=True))
_SET_BEFORE = re.compile(
    rf"(?i)(?:make|change|set|update|badha|ghata|kar)\s+(?:it|that|them|this|qty|quantity|"
    rf"usko|isko|use|ise|ko)?\s*(?:to|into|upto|se)?\s*(?P<n>{_NUM})(?![{WORD_CHARS}])|"
    rf"(?<![{WORD_CHARS}])(?:qty|quantity)\s*:?\s*(?P<q>{_NUM})(?![{WORD_CHARS}])")
_SET_AFTER = re.compile(
    rf"(?i)(?<![{WORD_CHARS}])(?P<n>{_NUM})\s+(?:kar\s*do|kardo|karo|kar\s*dijiye|kar\s*dena|"
    rf"kijiye|instead|only|hi\s+(?:bhejo|chahiye)|chahiye|कर\s*दो|करो|कर\s*दीजिए)"
    rf"(?![{WORD_CHARS}])")


@dataclass(frozen=True)
class Mention:
    """A medicine named in a message, with the quantity next to it and what to do."""

    name: str
    quantity: Quantity | None = None
    op: str = ADD


@dataclass
class Request:
    """What one message asks of the basket."""

    mentions: list[Mention] = field(default_factory=list)
    only: bool = False                    # 'sirf dolo': the named lines replace the basket
    clear: bool = False                   # 'remove everything', 'sab hata do'
    quantity: Quantity | None = None      # 'make it 3': a count with no medicine named

    @property
    def empty(self) -> bool:
        return not self.mentions and self.quantity is None and not self.clear


@dataclass
class _Segment:
    items: list[object] = field(default_factory=list)  # runs (list[str]) and Quantity
    op: str | None = None
    op_first: bool = True  # the op word came before any name ('remove x' vs 'x hata do')
    negated: bool = False


def _set_quantities(text: str, taken: list[Quantity]) -> list[Quantity]:
    found: list[Quantity] = []
    for pattern in (_SET_BEFORE, _SET_AFTER):
        for match in pattern.finditer(text):
            group = "n" if match.group("n") is not None else "q"
            value = number_value(match.group(group))
            if value is None:
                continue
            span = match.span(group)
            if any(span[0] < q.end and q.start < span[1] for q in [*taken, *found]):
                continue
            found.append(Quantity(span[0], span[1], value))
    return found


def _is_number(word: str) -> bool:
    return number_value(word) is not None


def _segments(text: str, quantities: list[Quantity]) -> list[_Segment]:
    segments = [_Segment()]
    run: list[str] = []

    def close_run() -> None:
        if run:
            segments[-1].items.append(list(run))
            run.clear()

    pieces: list[tuple[int, object]] = [(q.start, q) for q in quantities]
    cursor = 0
    for q in quantities:
        for match in _TOKEN_RE.finditer(text, cursor, q.start):
            pieces.append((match.start(), match.group(0)))
        cursor = q.end
    for match in _TOKEN_RE.finditer(text, cursor):
        pieces.append((match.start(), match.group(0)))
    pieces.sort(key=lambda p: p[0])
    for _, piece in pieces:
        if isinstance(piece, Quantity):
            close_run()
            segments[-1].items.append(piece)
            continue
        word = str(piece).lower().strip(".'-/")
        if not word:
            continue
        if word in _SEPARATORS or word in (",", ";", "&", "+", "\n"):
            # 'ek aur' is a quantity (already taken out); a separator ends the segment.
            close_run()
            segments.append(_Segment())
            continue
        segment = segments[-1]
        has_name = any(isinstance(i, list) for i in segment.items) or bool(run)
        if word in _REMOVE_WORDS or (word in _NOT_WORDS and segment.op is None):
            close_run()
            segment.op, segment.op_first = REMOVE, not has_name
            segment.negated = word in _NOT_WORDS
            continue
        if word in _ADD_WORDS and word not in ("want", "need", "order", "chahiye", "chaiye",
                                               "chahie", "चाहिए"):
            if segment.op is None:
                segment.op, segment.op_first = ADD, not has_name
            if word not in ("bhi", "भी"):
                close_run()
            continue
        if word in ("each", "har", "dono", "both", "हर", "दोनों"):
            segment.items.append("each")
            continue
        if word in _ALL_WORDS:
            segment.items.append("all")
            continue
        if word in _ONLY_WORDS:
            segment.items.append("only")
            continue
        if word in _FILLER or word in _ADD_WORDS or word in _NOT_WORDS:
            if word in ("chahiye", "chaiye", "chahie", "चाहिए") and segment.negated:
                continue
            # filler inside a name run ('dolo ke 2') ends the run only at a quantity
            continue
        run.append(str(piece).strip(".,"))
    close_run()
    return [s for s in segments if s.items]


def _split_run(run: list[str], resolve: Callable[[str], str | None] | None,
               counted: bool = False
               ) -> tuple[Quantity | None, list[str], Quantity | None]:
    """(count before the name, name words, count after the name) of one run of words.
    ``counted``: the segment already has a quantity with a unit, so a trailing bare number
    belongs to the name ('amlong 5 one strip')."""
    before = after = None
    words = list(run)
    if len(words) > 1 and _is_number(words[0]):
        value = number_value(words[0])
        lower = words[0].lower()
        if value is not None and value <= MAX_QUANTITY and (lower.isdigit() or
                                                            lower in BARE_NUMBER_WORDS):
            before = Quantity(0, 0, value)
            words = words[1:]
    if len(words) > 1 and _is_number(words[-1]):
        last = words[-1].lower()
        value = number_value(last)
        if value is not None and value <= MAX_QUANTITY:
            if not last.translate(str.maketrans("०१२३४५६७८९", "0123456789")).isdigit():
                if last in BARE_NUMBER_WORDS:
                    after = Quantity(0, 0, value)
                    words = words[:-1]
            elif _is_number(words[-2]) and any(not _is_number(w) for w in words[:-2]):
                after = Quantity(0, 0, value)  # 'telma 40 2': the strength, then the count
                words = words[:-1]
            elif (resolve is not None and not counted
                  and not _number_in_name(" ".join(words), last, resolve)):
                after = Quantity(0, 0, value)
                words = words[:-1]
    return before, words, after


def _number_in_name(name: str, number: str, resolve: Callable[[str], str | None]) -> bool:
    brand = resolve(name)
    if not brand:
        return False
    return number in re.findall(r"\d+", brand)


def parse_request(text: str, resolve: Callable[[str], str | None] | None = None) -> Request:
    """What ``text`` asks of the basket. ``resolve(name)`` (optional) gives the catalogue
    brand a name means, or None; it decides whether a trailing bare number is part of the
    name ('Amaryl 2') or a count ('dolo 3')."""
    if not isinstance(text, str) or not text.strip() or text.lstrip().startswith("/"):
        return Request()
    text = text[:500]
    quantities = find_quantities(text)
    quantities = sorted([*quantities, *_set_quantities(text, quantities)], key=lambda q: q.start)
    segments = _segments(text, quantities)
    request = Request()
    pending: list[tuple[int, Mention]] = []  # (segment index, mention)
    orphans: list[tuple[int, Quantity]] = []

    explicit = [(s.op, s.op_first) for s in segments]
    each = False
    for index, segment in enumerate(segments):
        op = segment.op
        if op is None:
            op = next((o for o, first in reversed(explicit[:index]) if o and first), None)
        if op is None:
            op = next((o for o, first in explicit[index + 1:] if o and not first), None)
        op = op or ADD
        if "only" in segment.items:
            request.only = True
        names: list[tuple[list[str], Quantity | None]] = []
        counts: list[Quantity] = []
        order: list[str] = []
        counted = any(isinstance(item, Quantity) for item in segment.items)
        each = each or "each" in segment.items
        for item in segment.items:
            if isinstance(item, Quantity):
                counts.append(item)
                order.append("q")
            elif isinstance(item, list):
                before, words, after = _split_run(item, resolve, counted)
                if before is not None:
                    counts.append(before)
                    order.append("q")
                if words and any(not _is_number(w) for w in words):
                    names.append((words, None))
                    order.append("n")
                elif words and before is None and after is None and len(words) == 1:
                    value = number_value(words[0])
                    if value is not None and value < 1000:
                        counts.append(Quantity(0, 0, value))
                        order.append("q")
                if after is not None:
                    counts.append(after)
                    order.append("q")
        if not names and op == REMOVE and "all" in segment.items:
            request.clear = True
        if not names:
            orphans.extend((index, q) for q in counts)
            continue
        paired: list[Quantity | None] = [None] * len(names)
        if len(names) == 1:
            paired[0] = counts[0] if counts else None
        else:
            quantity_first = order[0] == "q"
            name_index, count_index = -1, 0
            for kind in order:
                if kind == "n":
                    name_index += 1
                    continue
                amount = counts[count_index]
                count_index += 1
                at = name_index + 1 if quantity_first else name_index
                if 0 <= at < len(names) and paired[at] is None:
                    paired[at] = amount
        for (words, _), pair in zip(names, paired, strict=True):
            pending.append((index, Mention(" ".join(words), pair, op)))

    for seg_index, orphan in orphans:
        earlier = [i for i, (s, m) in enumerate(pending) if s < seg_index and m.quantity is None]
        later = [i for i, (s, m) in enumerate(pending) if s > seg_index and m.quantity is None]
        slot = earlier[-1] if earlier else (later[0] if later else None)
        if slot is None:
            request.quantity = request.quantity or orphan
            continue
        s, mention = pending[slot]
        pending[slot] = (s, Mention(mention.name, orphan, mention.op))
    amounts = {m.quantity for _, m in pending if m.quantity is not None}
    if each and len(amounts) == 1:  # '3 strips each of dolo and calpol'
        (each_amount,) = amounts
        pending = [(s, m if m.quantity else Mention(m.name, each_amount, m.op))
                   for s, m in pending]
    request.mentions = [m for _, m in pending][:MAX_LINES]
    return request


# -- applying resolved changes -----------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """A resolved mention: the catalogue medicine and the packs asked for (None: not said)."""

    sku: str
    brand: str
    op: str
    packs: int | None = None
    relative: bool = False


def apply_changes(lines: list[dict], changes: list[Change], *, only: bool = False,
                  quantity: int | None = None, relative: bool = False,
                  default_packs: Callable[[str], int] | None = None) -> list[dict]:
    """The basket after ``changes`` (in order). New lines get ``packs`` or
    ``default_packs(sku)`` (1 without it); a named line with packs gets that many (or that
    many more when ``relative``); ``quantity`` with no change changes the last line.
    Quantities are capped at MAX_QUANTITY; at most MAX_LINES lines."""
    basket = [] if only else [dict(line) for line in lines if isinstance(line, dict)]
    for change in changes:
        existing = next((line for line in basket if line.get("sku") == change.sku), None)
        if change.op == REMOVE:
            if existing is not None:
                basket.remove(existing)
            continue
        if existing is None:
            packs = change.packs if change.packs is not None else (
                default_packs(change.sku) if default_packs else 1)
            if len(basket) < MAX_LINES:
                basket.append({"sku": change.sku, "brand": change.brand,
                               "quantity": max(1, min(packs, MAX_QUANTITY))})
            continue
        if change.packs is not None:
            packs = existing["quantity"] + change.packs if change.relative else change.packs
            existing["quantity"] = max(1, min(packs, MAX_QUANTITY))
    if not changes and quantity is not None and basket:
        last = basket[-1]
        packs = last["quantity"] + quantity if relative else quantity
        last["quantity"] = max(1, min(packs, MAX_QUANTITY))
    return basket
