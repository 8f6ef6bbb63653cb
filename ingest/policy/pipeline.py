"""The spaCy pipeline for Chinese plans: ``spacy.blank("zh")`` plus rule components, no model download.

Components, in order (each reads and extends ``doc._.policy``, a
:class:`~ingest.policy.model.PolicyAnalysis`):

``policy_layout``
    metadata (title, issuer, date, period) and the numbered section tree;
``policy_departments``
    lead/support brackets and duty lines, the standing 「以下均需……配合」 clause,
    departments named in running text (``doc.spans["departments"]``);
``policy_targets``
    numeric targets with metric, value, unit, deadline and task;
``policy_industries``
    focus industries listed in each task (``doc.spans["industries"]``);
``policy_organizations``
    named organisations: a gazetteer of the graph's names and aliases
    (a ``PhraseMatcher``) plus name-suffix patterns (``doc.spans["organizations"]``).

The blank Chinese tokenizer segments by character, so every character offset
is a token boundary and spans map one to one to the offsets of the analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from graph.errors import InputError
from ingest.policy.departments import (
    Context,
    department_mention,
    departments_in_text,
    first_listed_leads,
    matching_brackets,
    parse_duty_text,
)
from ingest.policy.industries import find_industries
from ingest.policy.layout import analyse_layout, split_lines
from ingest.policy.model import Duty, Mention, OrganizationMention, PolicyAnalysis
from ingest.policy.organizations import OrganizationFinder
from ingest.policy.targets import find_targets
from ingest.policy.text import PolicyText, normalise_width

ORIGINAL_KEY = "policy_original"
SOURCE_KEY = "policy_source"

_DUTY_LINE = r"^\s*(?:牵头单位|责任单位|责任部门|配合单位|牵头部门)\s*[:：]"


@dataclass(frozen=True)
class GazetteerEntry:
    """A name or alias of an existing graph node."""

    name: str
    node_id: str
    kind: str          # the node's kind label: University, Platform, Fund …


@dataclass
class Gazetteer:
    """What the graph already knows, for matching names in a text."""

    organizations: list[GazetteerEntry] = field(default_factory=list)
    #: region names and aliases: anchors of organisation names (哈尔滨 …)
    places: tuple[str, ...] = ()


def _ensure_extensions() -> None:
    if not Doc.has_extension("policy"):
        Doc.set_extension("policy", default=None)


def _regions(analysis: PolicyAnalysis, length: int) -> list[tuple[str | None, int, int]]:
    """(task id, start, end) of every part of the body: the introduction, then each section's own text."""
    meta = analysis.meta
    first = analysis.sections[0].start if analysis.sections else length
    out: list[tuple[str | None, int, int]] = []
    if meta is not None and meta.body_start < first:
        out.append((None, meta.body_start, first))
    out.extend((s.id, s.start, s.own_end) for s in analysis.sections)
    return out


def _spans(doc: Doc, mentions: Iterable[tuple[Mention, str]]) -> list[Span]:
    out = []
    for m, label in mentions:
        span = doc.char_span(m.start, m.end, label=label, alignment_mode="expand")
        if span is not None:
            out.append(span)
    return out


@Language.factory("policy_layout")
def make_layout(nlp: Language, name: str) -> "LayoutComponent":
    _ensure_extensions()
    return LayoutComponent()


class LayoutComponent:
    """Metadata and numbered sections."""

    def __call__(self, doc: Doc) -> Doc:
        original = doc.user_data.get(ORIGINAL_KEY, doc.text)
        source = doc.user_data.get(SOURCE_KEY, "<text>")
        pt = PolicyText(source=source, original=original, normalised=doc.text, encoding="")
        meta, sections = analyse_layout(pt)
        doc._.policy = PolicyAnalysis(source=source, meta=meta, sections=sections)
        return doc


@Language.factory("policy_departments")
def make_departments(nlp: Language, name: str) -> "DepartmentComponent":
    _ensure_extensions()
    return DepartmentComponent()


class DepartmentComponent:
    """Lead and supporting departments of each task, and departments named in running text."""

    def __call__(self, doc: Doc) -> Doc:
        import re

        analysis: PolicyAnalysis = doc._.policy
        text = doc.text
        original = doc.user_data.get(ORIGINAL_KEY, text)
        meta = analysis.meta
        ctx = Context(meta.province if meta else None, meta.city if meta else None)
        first_leads = first_listed_leads(text)
        standing: list[tuple[int, str, list[Mention], Mention]] = []  # (position, role, names, clause)
        with_duties: set[str] = set()
        found: list[Mention] = []

        def add(task: str, role: str, mention: Mention, is_standing: bool = False) -> None:
            dm = department_mention(mention, ctx)
            if any(d.task == task and d.department.key == dm.key for d in analysis.duties):
                return
            analysis.duties.append(Duty(task=task, role=role, department=dm, standing=is_standing))  # type: ignore[arg-type]

        for task, a, b in _regions(analysis, len(text)):
            pieces: list[tuple[int, int, int, int]] = []  # (inner start, inner end, claimed start, claimed end)
            for o, c in matching_brackets(text, a, b):
                pieces.append((o + 1, c, o, c + 1))
            for line in split_lines(text[a:b]):
                if re.match(_DUTY_LINE, line.text):
                    pieces.append((a + line.start, a + line.end, a + line.start, a + line.end))
            for i0, i1, c0, c1 in pieces:
                clause = parse_duty_text(original, text, i0, i1)
                if clause is None:
                    continue
                analysis.duty_spans.append((c0, c1))
                if task is None:
                    continue
                leads, supports = list(clause.leads), list(clause.supports)
                if clause.responsible:
                    if first_leads and not leads:
                        leads.append(clause.responsible[0])
                        supports.extend(clause.responsible[1:])
                    else:
                        leads.extend(clause.responsible)
                for m in leads:
                    add(task, "lead", m)
                for m in supports:
                    add(task, "support", m)
                found.extend(leads + supports)
                if leads or supports:
                    with_duties.add(task)
                if clause.standing_span is not None:
                    found.extend(clause.standing_supports + clause.standing_leads)
                    for role, names in (("support", clause.standing_supports), ("lead", clause.standing_leads)):
                        if names:
                            standing.append((c1, role, names, clause.standing_span))
        # 「以下均需……配合，不再列出」: every later task with its own duties gets them too
        for pos, role, names, clause_span in standing:
            for s in analysis.sections:
                if s.start >= pos and s.id in with_duties:
                    for m in names:
                        add(s.id, role, m, True)
        # bodies named in running text (省统计局负责…), outside the brackets
        for task, a, b in _regions(analysis, len(text)):
            for m in departments_in_text(original, text, a, b):
                if not any(x0 <= m.start < x1 for x0, x1 in analysis.duty_spans):
                    found.append(m)
        found.sort(key=lambda m: m.start)
        seen: set[tuple[int, int]] = set()
        for m in found:
            if (m.start, m.end) not in seen:
                seen.add((m.start, m.end))
                analysis.departments.append(department_mention(m, ctx))
        doc.spans["departments"] = _spans(doc, ((d.mention, "Agency") for d in analysis.departments))
        return doc


@Language.factory("policy_targets")
def make_targets(nlp: Language, name: str) -> "TargetComponent":
    _ensure_extensions()
    return TargetComponent()


class TargetComponent:
    """Numeric targets with the task they belong to."""

    def __call__(self, doc: Doc) -> Doc:
        analysis: PolicyAnalysis = doc._.policy
        original = doc.user_data.get(ORIGINAL_KEY, doc.text)
        for task, a, b in _regions(analysis, len(doc.text)):
            section = analysis.section(task) if task else None
            analysis.targets.extend(find_targets(original, doc.text, a, b, task=task,
                                                 task_title=section.title if section else None,
                                                 skip=analysis.duty_spans))
        doc.spans["targets"] = _spans(doc, ((t.span, "Target") for t in analysis.targets))
        return doc


@Language.factory("policy_industries")
def make_industries(nlp: Language, name: str) -> "IndustryComponent":
    _ensure_extensions()
    return IndustryComponent()


class IndustryComponent:
    """Industries listed in each task."""

    def __call__(self, doc: Doc) -> Doc:
        analysis: PolicyAnalysis = doc._.policy
        original = doc.user_data.get(ORIGINAL_KEY, doc.text)
        for task, a, b in _regions(analysis, len(doc.text)):
            analysis.industries.extend(find_industries(original, doc.text, a, b, task=task, skip=analysis.duty_spans))
        doc.spans["industries"] = _spans(doc, ((i.mention, "Industry") for i in analysis.industries))
        return doc


@Language.factory("policy_organizations")
def make_organizations(nlp: Language, name: str) -> "OrganizationComponent":
    _ensure_extensions()
    return OrganizationComponent(nlp)


class OrganizationComponent:
    """Named organisations: the graph's gazetteer first, then name-suffix patterns."""

    def __init__(self, nlp: Language) -> None:
        self.nlp = nlp
        self.matcher = PhraseMatcher(nlp.vocab)
        self.entries: dict[str, GazetteerEntry] = {}
        self.finder = OrganizationFinder()

    def add_gazetteer(self, gazetteer: Gazetteer) -> None:
        """Add the graph's organisations (names and aliases of three characters or more) and places."""
        patterns = []
        for e in gazetteer.organizations:
            key = normalise_width(e.name).replace(" ", "")
            if len(key) < 3 or key in self.entries:
                continue
            self.entries[key] = e
            patterns.append(self.nlp.make_doc(key))
        # one rule per batch keeps the matcher small; the match id carries no meaning
        if patterns:
            self.matcher.add(f"GAZETTEER_{len(self.entries)}", patterns)
        self.finder = OrganizationFinder(tuple(p for p in gazetteer.places if len(p) >= 2))

    def __call__(self, doc: Doc) -> Doc:
        analysis: PolicyAnalysis = doc._.policy
        text = doc.text
        original = doc.user_data.get(ORIGINAL_KEY, text)
        blocked = list(analysis.duty_spans) + [(d.mention.start, d.mention.end) for d in analysis.departments]
        regions = _regions(analysis, len(text))
        cands: list[tuple[int, int, str, str, str | None]] = []  # start, end, name, kind, node id
        for _, s, e in self.matcher(doc):
            span = doc[s:e]
            entry = self.entries.get(span.text)
            if entry is None or entry.kind == "Agency":
                continue
            cands.append((span.start_char, span.end_char, original[span.start_char:span.end_char], entry.kind,
                          entry.node_id))
        for task, a, b in regions:
            for c in self.finder.find(original, text, a, b):
                key = normalise_width(c.name).replace(" ", "")
                entry = self.entries.get(key)
                if entry is not None and entry.kind == "Agency":
                    continue
                cands.append((c.mention.start, c.mention.end, c.name, entry.kind if entry else c.kind,
                              entry.node_id if entry else None))
        # longest first; on equal spans the gazetteer (linked) wins
        cands.sort(key=lambda c: (-(c[1] - c[0]), c[4] is None, c[0]))
        chosen: list[tuple[int, int, str, str, str | None]] = []
        for c in cands:
            if any(not (c[1] <= x0 or c[0] >= x1) for x0, x1 in blocked):
                continue
            if any(not (c[1] <= o[0] or c[0] >= o[1]) for o in chosen):
                continue
            if not any(a <= c[0] < b for _, a, b in regions):
                continue
            chosen.append(c)
        chosen.sort(key=lambda c: c[0])
        for start, end, name, kind, node_id in chosen:
            section = analysis.section_at(start)
            analysis.organizations.append(OrganizationMention(
                name=name, kind=kind, mention=Mention(original[start:end], start, end),
                task=section.id if section else None, node_id=node_id))
        doc.spans["organizations"] = _spans(doc, ((o.mention, o.kind) for o in analysis.organizations))
        doc.ents = filter_spans(list(doc.spans["organizations"]) + list(doc.spans["departments"]))
        return doc


PIPE_NAMES = ("policy_layout", "policy_departments", "policy_targets", "policy_industries", "policy_organizations")


def build_pipeline(gazetteer: Gazetteer | None = None) -> Language:
    """A blank Chinese pipeline with the policy components; the gazetteer links names to graph nodes."""
    import spacy

    nlp = spacy.blank("zh")
    for name in PIPE_NAMES:
        nlp.add_pipe(name)
    if gazetteer is not None:
        nlp.get_pipe("policy_organizations").add_gazetteer(gazetteer)
    return nlp


def analyse(pt: PolicyText, nlp: Language | None = None) -> PolicyAnalysis:
    """Run the pipeline over a decoded text; raises :class:`InputError` for a text without numbered sections."""
    nlp = nlp or build_pipeline()
    doc = nlp.make_doc(pt.normalised)
    doc.user_data[ORIGINAL_KEY] = pt.original
    doc.user_data[SOURCE_KEY] = pt.source
    doc = nlp(doc)
    analysis: PolicyAnalysis = doc._.policy
    if not analysis.sections:
        raise InputError(f"{pt.source}: no numbered sections found (一、 / （一） / 1. …): this does not look like a "
                         "plan, 方案 or 措施 whose tasks could be read")
    return analysis
